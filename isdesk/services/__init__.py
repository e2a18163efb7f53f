"""The headless core: services take plain values and return frozen dataclasses.

Nothing here imports textual; the CLI, the TUI and the tests share these functions.
"""
