"""Every error the workbook raises on purpose, under one base class."""

from __future__ import annotations

import dataclasses

__all__ = [
    "CHECKS",
    "FollowupKitError",
    "Problem",
    "ValidationError",
    "NotFoundError",
    "NotYoursError",
    "BadFileError",
    "OutputFileError",
    "ArgumentError",
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


#: Every ``check`` code a :class:`Problem` or :class:`BadFileError` carries, with its meaning.
#: Code branches on these codes; the messages are for people and may be reworded.
CHECKS: dict[str, str] = {
    # one value (schema.clean_value)
    "required": "a required field is blank",
    "bad_text": "text holds a character no store or export can keep (a control character)",
    "not_text_value": "a text field given a number, yes/no, bytes or a list instead of text",
    "too_long": "text is longer than the field allows",
    "not_an_email": "not an email address",
    "not_a_phone": "not a phone number (digits, spaces and + - ( ) only)",
    "not_a_link": "not a web address (http:// or https://)",
    "not_a_choice": "not one of the field's allowed values",
    "not_a_date": "not a date in YYYY-MM-DD form",
    "too_early": "a date before 2000",
    "in_future": "a date after today where only past dates make sense",
    "too_far_ahead": "a date more than two years ahead",
    "not_a_country": "not a two-letter country code the holiday calendars know",
    "not_an_id": "not a whole number that can be an id",
    "not_a_length": "not a length of time in seconds (0 to 6 hours)",
    "not_bytes": "a recording that is not a file's bytes",
    "not_audio": "a recording whose content is not WAV, MP3, M4A, OGG, WebM or FLAC audio",
    "too_big": "a recording larger than the size limit",
    # a row, or rows that belong together
    "not_before": "a date earlier than the date it must follow (schema NotBefore)",
    "required_with": "blank while a field that needs it is filled in (schema RequiredWith)",
    "not_at_interview": "an interviewer who was not at this interview",
    "not_a_person": "an interviewer given as neither a name nor a dict",
    "fixed_field": "a field that cannot be changed after it was saved",
    "unknown_key": "a key that the call does not know",
    "taken": "a sign-in name that another client already has",
    "duplicate_name": "the same interviewer (any case or spacing) twice at one interview",
    "too_few": "fewer items than needed",
    # whole files and tables (spreadsheets)
    "extra_cells": "a row with more cells than the header has columns",
    "duplicate_id": "two rows of a table with the same id",
    "missing_parent": "a link to a row the file does not hold",
    "not_found": "no such file",
    "unreadable": "a file that cannot be read at all",
    "not_text": "a CSV file in an encoding that cannot be read",
    "malformed_csv": "a CSV file the parser cannot split into rows",
    "old_excel": "an old .xls file",
    "empty_file": "a file without any cells",
    "empty_sheet": "a sheet with a header row but no data rows",
    "duplicate_column": "a column header that appears twice",
    "unknown_column": "a column header the layout does not know",
    "missing_column": "a required column is not in the file",
    "no_sheet": "an Excel file without the sheet asked for",
    "same_field": "two columns of a file mapped to the same field",
    "nothing_to_import": "a folder that holds neither an export nor a spreadsheet",
    "invalid": "anything else (the default)",
}


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: which field, which row (for files), and why.

    ``check`` is a code from :data:`CHECKS` (``"required"``, ``"not_before"``...) for
    code to branch on; ``message`` is the sentence shown to people.

    Examples
    --------
    >>> Problem("name", "please fill in name (or alias).", check="required")
    Problem(field='name', message='please fill in name (or alias).', row=None, check='required')
    """

    field: str
    message: str
    row: int | None = None
    check: str = dataclasses.field(default="invalid", kw_only=True)

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


#: What a row of each table is called in a message ("the interview was not saved").
TABLE_NOUNS = {
    "clients": "client",
    "interviews": "interview",
    "interviewers": "interviewer",
    "follow_ups": "follow-up",
    "responses": "reply",
    "skipped_steps": "skipped step",
    "recordings": "recording",
}

#: The same rows, plural.
TABLE_PLURALS = {
    "clients": "clients",
    "interviews": "interviews",
    "interviewers": "interviewers",
    "follow_ups": "follow-ups",
    "responses": "replies",
    "skipped_steps": "skipped steps",
    "recordings": "recordings",
}


def rows_words(table: str, n: int) -> str:
    """``("follow_ups", 2)`` -> ``"2 follow-ups"``; ``("responses", 1)`` -> ``"1 reply"``."""
    one = TABLE_NOUNS.get(table, table.replace("_", " "))
    return f"{n} {one if n == 1 else TABLE_PLURALS.get(table, one)}"


class NotFoundError(FollowupKitError, LookupError):
    """An id was given that the workbook does not hold."""

    def __init__(self, table: str, id_: object) -> None:
        self.table = table
        self.id = id_
        what = TABLE_NOUNS.get(table, table.rstrip("s").replace("_", " "))
        # No id in the words: a client reads this when a page outlived its entry.
        super().__init__(
            f"That {what} is not in the workbook (it may have been deleted on another "
            "page); reload this page to see what is there now."
        )


class NotYoursError(FollowupKitError, PermissionError):
    """A client acted on a row that belongs to another client; nothing was changed."""

    def __init__(self, table: str, id_: object) -> None:
        self.table = table
        self.id = id_
        super().__init__(
            "That entry belongs to someone else, so nothing was changed. "
            "If this page was open for a while, reload it."
        )


class BadFileError(FollowupKitError):
    """A file could not be read at all (wrong format, encoding, empty); ``check`` says which."""

    def __init__(self, path: object, reason: str, *, check: str = "unreadable") -> None:
        self.path = path
        self.reason = reason
        self.check = check
        super().__init__(f"Could not read {path}: {reason}")


class OutputFileError(FollowupKitError):
    """A file or folder could not be written (it exists already, or its folder does not)."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"Could not write {path}: {reason}")


class ArgumentError(FollowupKitError, ValueError):
    """A call was given a value it cannot use; ``argument`` names it."""

    def __init__(self, argument: str, reason: str) -> None:
        self.argument = argument
        self.reason = reason
        super().__init__(f"{argument}: {reason}")


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

    def __reduce__(self) -> tuple[object, ...]:
        # Copyable and picklable: pandas deep-copies ``frame.attrs["errors"]``.
        return (type(self), (self.path, self.field, self.reason))


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
