"""Diagnostics: what Podium could not understand, as `path:line: severity: message`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one source file. `kind` groups diagnostics for the summary."""

    path: str
    line: int
    severity: Severity
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity.value}: {self.message}"


def warning(path: str, line: int, kind: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, Severity.WARNING, kind, message)


def error(path: str, line: int, kind: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, Severity.ERROR, kind, message)


class PodiumError(Exception):
    """A domain error the CLI turns into a message and an exit code."""


class ContentError(PodiumError):
    """The content cannot be built; carries every diagnostic, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        super().__init__(f"{len(errors)} error(s) in content")


class ConfigError(PodiumError):
    """The site configuration or command line is unusable."""
