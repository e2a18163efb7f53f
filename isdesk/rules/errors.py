"""The one error a rules file raises, shared by every section's parser."""

from __future__ import annotations


class RulesError(Exception):
    """A problem in a rules file: where it is (file, line, dotted key path) and what to fix."""

    def __init__(self, file: str, line: int | None, key: str, message: str) -> None:
        super().__init__(file, line, key, message)
        self.file = file
        self.line = line
        self.key = key
        self.message = message

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}"
