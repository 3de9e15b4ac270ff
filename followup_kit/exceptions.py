"""Every error the workbook raises on purpose, under one base class."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "FollowupKitError",
    "Problem",
    "ValidationError",
    "NotFoundError",
    "BadFileError",
    "StoreError",
    "RulesFileError",
    "ScriptFileError",
    "TemplateError",
    "TonePatternError",
    "ToneModelError",
    "AnalyticsError",
]


class FollowupKitError(Exception):
    """Base of every error the package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: which field, which row (for files), and why."""

    field: str
    message: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"


class ValidationError(FollowupKitError, ValueError):
    """Input was refused; ``problems`` lists every field (and row) that is wrong."""

    def __init__(self, problems: list[Problem], *, what: str = "entry") -> None:
        self.problems = list(problems)
        self.what = what
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = len(self.problems) - 50
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(
            f"The {what} was not saved: {len(self.problems)} problem(s).\n{shown}{tail}"
        )

    def by_field(self) -> dict[str, str]:
        """The first message for each field, for showing next to form inputs."""
        out: dict[str, str] = {}
        for p in self.problems:
            out.setdefault(p.field, p.message)
        return out


class NotFoundError(FollowupKitError, LookupError):
    """An id was given that the workbook does not hold."""

    def __init__(self, table: str, id_: object) -> None:
        self.table = table
        self.id = id_
        super().__init__(f"There is no {table.rstrip('s').replace('_', ' ')} with id {id_!r}.")


class BadFileError(FollowupKitError):
    """A file could not be read at all (wrong format, encoding, empty)."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"Could not read {path}: {reason}")


class StoreError(FollowupKitError):
    """The database refused a write (busy, read-only, full disk); nothing was changed."""


class RulesFileError(FollowupKitError):
    """A coach's timing-rules file has a bad key or value; the defaults stay in force."""

    def __init__(self, path: object, key: str, reason: str) -> None:
        self.path = path
        self.key = key
        self.reason = reason
        super().__init__(f"{path}: rule {key!r}: {reason}")


class ScriptFileError(FollowupKitError):
    """A script file is malformed; it names the file and the field."""

    def __init__(self, path: object, field: str, reason: str) -> None:
        self.path = path
        self.field = field
        self.reason = reason
        super().__init__(f"{path}: field {field!r}: {reason}")


class TemplateError(FollowupKitError):
    """A script template is broken or tried to reach outside the sandbox."""


class AnalyticsError(FollowupKitError, ValueError):
    """An analysis was asked for something the data cannot give (unknown group or column)."""


class TonePatternError(FollowupKitError):
    """A tone-pattern file has a bad entry; it names the file, the entry and the field."""

    def __init__(self, path: object, field: str, reason: str) -> None:
        self.path = path
        self.field = field
        self.reason = reason
        super().__init__(f"{path}: {field}: {reason}")


class ToneModelError(FollowupKitError):
    """A tone model or labelled-sentence file is missing or malformed; it names the file."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")
