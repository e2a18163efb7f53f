"""Exports for spreadsheets and other tools: the daily activity log (``isdesk export daily``).

``daily`` turns one local day of activities into frozen rows (query → DTOs, role checks),
``writer`` turns those rows into CSV for Excel or JSONL, and ``command`` is the CLI glue.
Nothing here imports textual.
"""
