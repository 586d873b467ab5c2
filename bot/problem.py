"""A problem found in one file: reported with its path and reason, never fatal."""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    path: str  # vault-relative, POSIX separators
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"
