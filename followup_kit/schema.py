"""The one schema: every table's fields, allowed values, labels and rules.

The store, the spreadsheet import, the forms and the analytics all read this module,
so a rule such as "a response cannot come before the interview" is written once, here.
Validation is vectorised over a DataFrame; a single record is a one-row frame.
"""

from __future__ import annotations

import math
import numbers
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from . import business_days
from .dates import as_date, format_day, is_blank, parse_date
from .exceptions import Problem

__all__ = [
    "CHOICES",
    "FLAT",
    "STEPS",
    "TABLES",
    "WRITE_ORDER",
    "Field",
    "Table",
    "choice_label",
    "format_day",
    "frame_dtypes",
    "to_frame_dtypes",
    "validate_frame",
    "validate_record",
    "as_date",
    "cell_text",
    "clean_value",
    "country_names",
    "distinct_values",
    "per_distinct",
    "normalise_username",
    "person_key",
]

FieldKind = Literal[
    "id",
    "ref",
    "text",
    "enum",
    "date",
    "email",
    "phone",
    "link",
    "country",
    "username",
    "bytes",
    "seconds",
]

#: Allowed values of every enumerated field, with the words a person sees.
CHOICES: dict[str, dict[str, str]] = {
    "round": {
        "screen": "Phone screen",
        "first": "First interview",
        "second": "Second interview",
        "final": "Final interview",
        "panel": "Panel interview",
        "other": "Other",
    },
    "format": {"phone": "Phone", "video": "Video call", "onsite": "In person"},
    "contact_route": {
        "direct": "Directly with the hiring team",
        "hr": "Through HR only",
        "agency": "Through an agency recruiter",
    },
    "status": {
        "open": "Waiting to hear",
        "next_round": "Invited to the next round",
        "offer": "Offer",
        "rejected": "Not selected",
        "withdrawn": "I withdrew",
        "ghosted": "No reply (closed)",
    },
    "kind": {
        "thank_you": "Thank-you note",
        "status_check": "Status check",
        "feedback_request": "Feedback request",
        "reconnect": "Reconnect later",
        "other": "Other",
    },
    "channel": {
        "email": "Email",
        "phone": "Phone call",
        "voicemail": "Voicemail",
        "linkedin": "LinkedIn message",
        "handwritten": "Handwritten note",
        "text": "Text message",
    },
    "result": {
        "next_round": "Next round",
        "offer": "Offer",
        "rejection": "Not selected",
        "still_deciding": "Still deciding",
        "other": "Other",
    },
    "greet_as": {
        "first_name": "First name",
        "title_surname": "Title and surname",
    },
    "step": {
        "thank_you": "Thank-you note",
        "status_check": "First status check",
        "second_follow_up": "Second follow-up",
        "close_as_ghosted": "Close as ghosted and move on",
        "gracious_reply": "Reply graciously to their decision",
        "feedback_request": "Ask for feedback",
        "reconnect": "Reconnect later",
    },
}

#: Tables in the order rows must be written (parents before children).
WRITE_ORDER = (
    "clients",
    "interviews",
    "interviewers",
    "follow_ups",
    "responses",
    "skipped_steps",
    "recordings",
)

#: The steps of a follow-up plan, in the order they happen.
STEPS: tuple[str, ...] = tuple(CHOICES["step"])

_EARLIEST = date(2000, 1, 1)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# A phone number as people write it: digits with spaces, dashes, dots, slashes,
# brackets, a leading + and an extension ("x12", "ext. 12").
_PHONE = re.compile(r"^\+?[0-9 ().\-/]+(?:\s*(?:x|ext\.?|extension)\s*[0-9]{1,6})?$", re.I)
_LINK = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.I)
# Control characters (tab, newline and carriage return are fine), lone surrogates and
# U+FFFE/U+FFFF: SQLite cannot encode surrogates, PostgreSQL and Excel refuse the control
# characters, and XML (so an .xlsx export) has no room for any of them: one such
# character would make the whole exported workbook unreadable.
_UNSAVABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\r\n]+")
_MAX_SECONDS = 6 * 3600  # a rehearsal take; NaN and infinity fail the range test too


@dataclass(frozen=True)
class Field:
    """One column: its type, whether it is required, and the words used for it."""

    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    max_len: int | None = None
    choices: str | None = None  # key into CHOICES
    default: Any = None
    ref: str | None = None  # table an id refers to
    max_future_days: int | None = None  # dates: how far ahead of "today" is allowed
    blank_message: str | None = None  # what a required field says when left blank
    hint: str | None = None  # an example a form shows in an empty box

    def allowed(self) -> Mapping[str, str]:
        return CHOICES[self.choices or self.name] if self.kind == "enum" else {}


@dataclass(frozen=True)
class NotBefore:
    """Row rule: ``field`` may not be earlier than ``other`` (either may be empty)."""

    field: str
    other: str
    message: str
    check: ClassVar[str] = "not_before"


@dataclass(frozen=True)
class RequiredWith:
    """Row rule: ``field`` must be filled in when ``other`` is (a date for a channel)."""

    field: str
    other: str
    message: str
    check: ClassVar[str] = "required_with"


@dataclass(frozen=True)
class RequiredFor:
    """Row rule: ``field`` must be filled in when ``other`` holds ``value``."""

    field: str
    other: str
    value: str
    message: str
    check: ClassVar[str] = "required_with"


Rule = NotBefore | RequiredWith | RequiredFor


@dataclass(frozen=True)
class Table:
    """A table: its fields in storage order and its cross-field rules."""

    name: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = field(default=())
    parent: str | None = None  # the field linking to the owning row

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def __getitem__(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def inputs(self) -> tuple[Field, ...]:
        """Fields a person or a file provides (not the id, not blobs)."""
        return tuple(f for f in self.fields if f.kind not in ("id", "bytes"))


_ID = Field("id", "Id", "id")
_NOTES = Field("notes", "Notes", max_len=5000)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "clients",
            (
                _ID,
                Field("name", "Name (or alias)", required=True, max_len=120),
                Field("cohort", "Workshop group", max_len=80),
                Field("country", "Country (for public holidays)", "country", default="US"),
                Field("username", "JupyterHub user name", "username", max_len=120),
                Field("created", "Added on", "date", max_future_days=0),
                # Added after the first release: _db.py adds it to older stores.
                Field("phone", "Your phone number", "phone", max_len=40, hint="+1 555 010 0199"),
            ),
        ),
        Table(
            "interviews",
            (
                _ID,
                Field("client_id", "Client", "ref", required=True, ref="clients"),
                Field("company", "Company", required=True, max_len=200),
                Field("role", "Role", required=True, max_len=200),
                Field("round", "Interview round", "enum", default="first"),
                Field("interview_date", "Interview date", "date", True, max_future_days=730),
                Field("format", "Format", "enum", default="video"),
                Field("contact_route", "Who you dealt with", "enum", default="direct"),
                Field("decision_expected", "Decision expected by", "date", max_future_days=730),
                Field("status", "Status", "enum", default="open"),
                _NOTES,
                # Added after the first release: _db.py adds them to older stores.
                Field("hr_name", "HR or recruiter contact: name", max_len=120),
                Field("hr_email", "HR or recruiter contact: email", "email", max_len=200),
                Field("hr_phone", "HR or recruiter contact: phone", "phone", max_len=40),
                Field(
                    "posting_link",
                    "Job posting link",
                    "link",
                    max_len=2000,
                    hint="https://example.com/jobs/123",
                ),
                Field("concerns", "Concerns you expect, and your answers", max_len=5000),
            ),
            rules=(
                NotBefore(
                    "decision_expected",
                    "interview_date",
                    "the expected decision date cannot be before the interview.",
                ),
            ),
            parent="client_id",
        ),
        Table(
            "interviewers",
            (
                _ID,
                Field("interview_id", "Interview", "ref", True, ref="interviews"),
                Field("name", "Interviewer's name", required=True, max_len=120),
                Field("title", "Job title", max_len=120),
                Field("email", "Email", "email", max_len=200),
                # Added after the first release: _db.py adds them to older stores.
                # Blank greet_as: as the coach's setting says (first name by default).
                Field("greet_as", "How to greet them", "enum"),
                Field("honorific", "Title for the greeting (Dr, Ms, Mr ...)", max_len=20),
            ),
            rules=(
                RequiredFor(
                    "honorific",
                    "greet_as",
                    "title_surname",
                    "to greet them by title and surname, give the title (e.g. Dr, Ms, Mr).",
                ),
            ),
            parent="interview_id",
        ),
        Table(
            "follow_ups",
            (
                _ID,
                Field("interview_id", "Interview", "ref", True, ref="interviews"),
                Field("interviewer_id", "Sent to", "ref", ref="interviewers"),
                Field(
                    "kind",
                    "What you sent",
                    "enum",
                    required=True,
                    blank_message="please choose what kind of follow-up this was.",
                ),
                Field("channel", "How you sent it", "enum", default="email"),
                Field("sent_on", "Date sent", "date", True, max_future_days=0),
                Field("script_id", "Script used", max_len=80),
                Field("script_version", "Script version", max_len=20),
                _NOTES,
            ),
            rules=(
                NotBefore(
                    "sent_on", "interview_date", "a follow-up cannot be sent before the interview."
                ),
            ),
            parent="interview_id",
        ),
        Table(
            "responses",
            (
                _ID,
                Field("interview_id", "Interview", "ref", True, ref="interviews"),
                Field("received_on", "Date of the reply", "date", True, max_future_days=0),
                Field("channel", "How they replied", "enum", default="email"),
                Field("result", "What they said", "enum", default="still_deciding"),
                Field("feedback", "Their feedback", max_len=5000),
                Field("reflection", "Your reflection", max_len=5000),
            ),
            rules=(
                NotBefore(
                    "received_on",
                    "interview_date",
                    "a reply cannot come before the interview.",
                ),
            ),
            parent="interview_id",
        ),
        Table(
            "skipped_steps",
            (
                _ID,
                Field("interview_id", "Interview", "ref", True, ref="interviews"),
                Field("step", "Step", "enum", True),
                Field("interviewer", "Interviewer", max_len=120),
                Field("reason", "Why it was skipped", required=True, max_len=500),
                Field("skipped_on", "Skipped on", "date", max_future_days=0),
            ),
            parent="interview_id",
        ),
        Table(
            "recordings",
            (
                _ID,
                Field("client_id", "Client", "ref", True, ref="clients"),
                Field("script_id", "Script", max_len=80),
                Field("filename", "File name", required=True, max_len=200),
                Field("mime", "Type", required=True, max_len=80),
                Field("created", "Recorded on", "date", max_future_days=0),
                # Added after the first release: _db.py adds them to older stores.
                Field("seconds", "Length", "seconds"),
                Field("note", "Note", max_len=500),
                Field("data", "Recording", "bytes"),
            ),
            parent="client_id",
        ),
    )
}


def _flat() -> Table:
    """The spreadsheet coaches already keep: one row per interview, flat columns.

    Its fields are the store's own fields under spreadsheet names, so a file row meets
    exactly the rules a form entry meets.
    """
    iv, fu, rs = TABLES["interviews"], TABLES["follow_ups"], TABLES["responses"]
    cl = TABLES["clients"]

    def as_(f: Field, name: str, label: str | None = None, **kw: Any) -> Field:
        choices = f.choices or (f.name if f.kind == "enum" else None)
        return replace(f, name=name, label=label or f.label, choices=choices, **kw)

    fields = (
        as_(cl["name"], "client", "Client"),
        cl["cohort"],
        as_(cl["country"], "country"),
        *(iv[n] for n in ("company", "role", "round", "interview_date", "format")),
        *(iv[n] for n in ("contact_route", "decision_expected", "status")),
        *(iv[n] for n in ("hr_name", "hr_email", "hr_phone", "posting_link")),
        Field("interviewers", "Interviewers (separate names with ;)", max_len=1000),
        as_(fu["sent_on"], "thank_you_date", "Thank-you date", required=False),
        as_(fu["channel"], "thank_you_channel", "Thank-you channel", default=None),
        as_(fu["sent_on"], "status_check_date", "Status-check date", required=False),
        as_(fu["channel"], "status_check_channel", "Status-check channel", default=None),
        as_(rs["received_on"], "response_date", "Reply date", required=False),
        as_(rs["result"], "response_result", "Reply result", default=None),
        as_(rs["channel"], "response_channel", "Reply channel", default=None),
        iv["notes"],
    )
    before = "cannot be before the interview."
    rules: tuple[Rule, ...] = (
        *iv.rules,
        NotBefore("thank_you_date", "interview_date", f"a thank-you {before}"),
        NotBefore("status_check_date", "interview_date", f"a status check {before}"),
        NotBefore("response_date", "interview_date", f"a reply {before}"),
        RequiredWith(
            "thank_you_date", "thank_you_channel", "a channel is given; when was it sent?"
        ),
        RequiredWith("status_check_date", "status_check_channel", "a channel is given; when?"),
        RequiredWith("response_date", "response_result", "a result is given; when did it come?"),
        RequiredWith("response_date", "response_channel", "a channel is given; when did it come?"),
        RequiredWith(
            "response_result", "response_date", "a reply date is given; what did they say?"
        ),
    )
    return Table("flat", fields, rules)


#: The flat spreadsheet layout for :meth:`Workbook.import_table` (one row per interview).
FLAT = _flat()


def choice_label(field_name: str, value: object) -> str:
    """The plain words for an enum value (the value itself if unknown)."""
    return CHOICES.get(field_name, {}).get(str(value), str(value))


@cache
def _choice_lookup(key: str) -> dict[str, str]:
    """Accept the stored value or its label, in any case, with spaces or dashes."""
    out = {}
    for value, label in CHOICES[key].items():
        for form in (value, label, value.replace("_", " "), value.replace("_", "-")):
            out[form.casefold()] = value
    return out


_NO_PROBLEM: tuple[Any, None] = (None, None)


def normalise_username(name: object) -> str:
    """A sign-in name as stored and compared: spaces trimmed and single, lower case.

    Examples
    --------
    >>> normalise_username("  Dana   Lee ")
    'dana lee'
    """
    # Only ordinary spaces fold: str.split() would also swallow control characters,
    # which the cleaning must see (and refuse).
    return _SPACES.sub(" ", str(name)).strip(" ").casefold()


def clean_value(f: Field, v: object, today: date) -> tuple[Any, Problem | None]:
    """Clean one value for field ``f``: (value to store, None) or (None, the problem).

    The problem names the field and carries a ``check`` code from
    :data:`~followup_kit.exceptions.CHECKS`.

    Examples
    --------
    >>> clean_value(TABLES["clients"]["country"], "United Kingdom", date(2025, 3, 4))
    ('GB', None)
    >>> clean_value(TABLES["clients"]["country"], "Narnia", date(2025, 3, 4))[1].check
    'not_a_country'
    """
    if is_blank(v):
        if f.required:
            message = f.blank_message or f"please fill in {f.label.lower()}."
            return None, Problem(f.name, message, check="required")
        return (f.default, None) if f.default is not None else _NO_PROBLEM

    def refuse(check: str, message: str) -> tuple[None, Problem]:
        return None, Problem(f.name, message, check=check)

    if f.kind == "username" and isinstance(v, str):
        # One person, one name: "Bob ", "bob" and "BOB" sign in as the same client.
        v = normalise_username(v)
    if f.kind in _TEXT_KINDS:
        if not isinstance(v, str):
            # Refused, not str()-ed: 42, True, b"..." or ["a"] would be stored as their
            # Python spelling. Spreadsheet cells are turned into text before this
            # (see cell_text), so an Excel cell holding 1800 in a company column is fine.
            return refuse("not_text_value", f"must be text, not {_kind_of(v)}.")
        text = v.strip()
        if _UNSAVABLE.search(text):
            return refuse("bad_text", "contains an invisible control character; please retype it.")
        if f.max_len and len(text) > f.max_len:
            return refuse("too_long", f"too long; keep it to {f.max_len} characters or fewer.")
        if f.kind == "email" and not EMAIL.match(text):
            return refuse("not_an_email", "this does not look like an email address.")
        if f.kind == "phone":
            return _clean_phone(text, refuse)
        if f.kind == "link":
            return _clean_link(text, refuse)
        return text, None
    if f.kind == "enum":
        key = f.choices or f.name
        value = _choice_lookup(key).get(str(v).strip().casefold())
        if value is None:
            return refuse("not_a_choice", f"choose one of: {', '.join(CHOICES[key])}.")
        return value, None
    if f.kind == "date":
        d = parse_date(v)
        if d is None:
            return refuse(
                "not_a_date", "not a date I can read; write it as YYYY-MM-DD, e.g. 2025-03-04."
            )
        if d < _EARLIEST:
            return refuse("too_early", f"that is before {_EARLIEST.year}; check the year.")
        if f.max_future_days is not None and d > today + timedelta(days=f.max_future_days):
            if f.max_future_days == 0:
                return refuse("in_future", "cannot be in the future.")
            return refuse("too_far_ahead", "that is more than two years ahead; check the year.")
        return d, None
    if f.kind == "country":
        # Stored as two letters only: "USA" and "US" would otherwise be two countries in
        # the charts. A country's name ("United Kingdom") is accepted and stored as its code.
        code = _country_code(str(v))
        if code is None:
            return refuse(
                "not_a_country",
                "choose a country from the list, or give its two-letter code (US, GB, DE).",
            )
        return code, None
    if f.kind in ("ref", "id"):
        number = _whole_number(v)
        # Ids are 64-bit in SQLite and PostgreSQL; anything else cannot be one.
        if number is None or not 0 < number < 2**63:
            return refuse("not_an_id", "not a valid id.")
        return number, None
    if f.kind == "seconds":
        seconds = _seconds(v)
        if seconds is None:
            return refuse("not_a_length", "not a length in seconds between 0 and 6 hours.")
        return seconds, None
    return v, None  # bytes are stored as given


_TEXT_KINDS = ("text", "email", "phone", "link", "username")


def _clean_phone(text: str, refuse: Callable[[str, str], Any]) -> tuple[Any, Problem | None]:
    digits = sum(c.isdigit() for c in text.split("x")[0].split("X")[0])
    if not _PHONE.fullmatch(text) or not 5 <= digits <= 17:
        return refuse(
            "not_a_phone",
            "this does not look like a phone number; use digits, spaces and + - ( ), "
            "e.g. +1 555 010 0199.",
        )
    return _SPACES.sub(" ", text), None


def _clean_link(text: str, refuse: Callable[[str, str], Any]) -> tuple[Any, Problem | None]:
    # "example.com/jobs/1" as people paste it from an address bar gets its https://.
    link = text if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.I) else f"https://{text}"
    if not _LINK.fullmatch(link):
        return refuse(
            "not_a_link",
            "this does not look like a web address; paste the whole link, "
            "e.g. https://example.com/jobs/123.",
        )
    return link, None


# Names the holidays package spells its own way (from its module names), as people write them.
_COUNTRY_WORDS = {
    "AX": "Åland Islands",
    "BQ": "Bonaire, Sint Eustatius and Saba",
    "CD": "Democratic Republic of the Congo",
    "CW": "Curaçao",
    "GW": "Guinea-Bissau",
    "HK": "Hong Kong",
    "HM": "Heard Island and McDonald Islands",
    "SH": "Saint Helena, Ascension and Tristan da Cunha",
    "TL": "Timor-Leste",
}
# Other names people use for a country, in lower case.
_COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "czech republic": "CZ",
    "holland": "NL",
    "the netherlands": "NL",
    "korea": "KR",
    "republic of korea": "KR",
    "uae": "AE",
}
_SMALL_WORDS = frozenset({"and", "of", "the", "da"})


@cache
def country_names() -> dict[str, str]:
    """Every country the holiday calendars know: two-letter code -> its name, by name.

    Examples
    --------
    >>> country_names()["GB"], country_names()["US"]
    ('United Kingdom', 'United States')
    """

    def build() -> list[tuple[str, str]]:
        from holidays import registry

        known = business_days.known_countries()
        names = {}
        for module, (_cls, code, *_rest) in registry.COUNTRIES.items():
            if code in known and _COUNTRY.fullmatch(code):
                words = module.split("_")
                spelled = " ".join(
                    w if i and w in _SMALL_WORDS else w.capitalize() for i, w in enumerate(words)
                )
                names[code] = _COUNTRY_WORDS.get(code, spelled)
        return sorted(names.items(), key=lambda item: item[1].casefold())

    return dict(business_days.from_holiday_cache("country names", build))


@cache
def _country_lookup() -> dict[str, str]:
    out = {name.casefold(): code for code, name in country_names().items()}
    out.update(_COUNTRY_ALIASES)
    out.update({code.casefold(): code for code in country_names()})
    return out


def _country_code(text: str) -> str | None:
    """A country's code from its code or its name, any case ("gb", "United Kingdom")."""
    return _country_lookup().get(_SPACES.sub(" ", text).strip().casefold())


def _kind_of(v: object) -> str:
    """What a non-text value is, in plain words."""
    if isinstance(v, bool | np.bool_):
        return "yes/no"
    if isinstance(v, numbers.Number):
        return "a number"
    if isinstance(v, datetime | date | time):
        return "a date"
    if isinstance(v, bytes | bytearray | memoryview):
        return "a file's bytes"
    if isinstance(v, Mapping | list | tuple | set | frozenset):
        return "a list"
    return "something else"


def cell_text(v: object) -> object:
    """A spreadsheet (or DataFrame) cell for a text field, as the text it shows.

    Excel keeps ``3``, ``1.5``, ``TRUE`` and date cells as numbers, booleans and
    dates, and pandas does the same with numeric-looking columns; in a text column
    they are what the person sees, so they become that text. Anything else (a list,
    bytes) is left for :func:`clean_value` to refuse.

    Examples
    --------
    >>> cell_text(3), cell_text(1.5), cell_text(2.0), cell_text(True)
    ('3', '1.5', '2', 'TRUE')
    """
    if isinstance(v, str) or is_blank(v):
        return v
    if isinstance(v, bool | np.bool_):
        return "TRUE" if v else "FALSE"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        x = float(v)
        return str(int(x)) if x.is_integer() and abs(x) < 2**53 else repr(x)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time() else v.isoformat(sep=" ")
    if isinstance(v, date | time):
        return v.isoformat()
    return v


def person_key(name: object) -> str | None:
    """A person's name compared without case or extra spaces ("dana  LEE" is Dana Lee)."""
    return normalise_username(name) if isinstance(name, str) and name.strip() else None


def _seconds(v: object) -> float | None:
    """A length of time in seconds (0 to 6 hours, rounded to a tenth), else None."""
    if isinstance(v, bool):
        return None
    try:
        seconds = float(str(v).strip()) if isinstance(v, str) else float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return round(seconds, 1) if 0 <= seconds <= _MAX_SECONDS else None


def _whole_number(v: object) -> int | None:
    """An exact whole number from an int (NumPy's too), "12", 12.0 or "12.0"; else None."""
    if isinstance(v, bool):
        return None
    try:
        return operator.index(v)  # every digit kept, NumPy and pandas integers included
    except TypeError:
        pass
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            pass
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return int(x) if math.isfinite(x) and x == int(x) else None


def _breaks(rule: Rule, a: object, b: object) -> bool:
    """Whether a row rule is broken by the cleaned values ``a`` (its field) and ``b``."""
    if isinstance(rule, RequiredFor):
        return a is None and b == rule.value
    if isinstance(rule, RequiredWith):
        return a is None and b is not None
    return isinstance(a, date) and isinstance(b, date) and a < b


def validate_record(
    table: str, values: Mapping[str, Any], *, today: date | None = None, partial: bool = False
) -> tuple[dict[str, Any], list[Problem]]:
    """Check and clean one record (a dict) for ``table``.

    Parameters
    ----------
    table
        A key of :data:`TABLES`.
    values
        Raw values by field name. Extra keys (such as ``interview_date`` for a
        follow-up) feed the cross-field rules and are returned as given.
    today
        The day "in the future" is measured from; defaults to the real today.
    partial
        Check only the fields given (an update); otherwise missing fields are blank.

    Returns
    -------
    (record, problems)
        The cleaned record, and every problem found (empty when it is valid).

    Examples
    --------
    >>> rec, problems = validate_record("clients", {"name": "  Alex  "})
    >>> rec["name"], rec["country"], problems
    ('Alex', 'US', [])
    """
    spec = TABLES[table]
    today = today or date.today()
    record = dict(values)
    problems: list[Problem] = []
    for f in spec.inputs:
        if partial and f.name not in values:
            continue
        record[f.name], problem = clean_value(f, values.get(f.name), today)
        if problem is not None:
            problems.append(problem)
    problems += [
        Problem(rule.field, rule.message, check=rule.check)
        for rule in spec.rules
        # An update that leaves a field out keeps its stored value: not "blank".
        if not (partial and isinstance(rule, RequiredFor) and rule.field not in values)
        and _breaks(rule, record.get(rule.field), record.get(rule.other))
    ]
    return record, problems


def distinct_values(cells: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """A column as codes into its distinct values, for work done once per value.

    Spreadsheet columns repeat a lot (dates, rounds, client names), so this is what
    makes a 100,000-row import take a second instead of many. A column of one kind
    (all text, as in a CSV, or all whole numbers...) is grouped as it is, with blanks
    (None, NaN) as one value, None; a mixed column by (type, value), so ``True`` and
    ``1`` stay apart. If a cell cannot be hashed (a list from Excel?), every cell is its
    own value.
    """
    try:
        if not pd.api.types.infer_dtype(cells, skipna=True).startswith("mixed"):
            codes, uniques = pd.factorize(cells)
            distinct = [*uniques, None]  # code -1, a blank, picks the last
            return codes % len(distinct), distinct
        keys = pd.Series([(v.__class__, v) for v in cells], dtype=object)
        codes, uniques = pd.factorize(keys)
        return codes, [value for _, value in uniques]
    except TypeError:
        return np.arange(len(cells)), list(cells)


def per_distinct(func: Callable[[Any], Any], cells: np.ndarray) -> np.ndarray:
    """``func`` of every cell of a column (an object array), called once per distinct value.

    Examples
    --------
    >>> per_distinct(lambda v: v and v.upper(), np.array(["a", "b", "a", None], dtype=object))
    array(['A', 'B', 'A', None], dtype=object)
    """
    codes, distinct = distinct_values(cells)
    return _objects(map(func, distinct), len(distinct))[codes]


def _objects(values: Iterable[Any], n: int) -> np.ndarray:
    """An object array of exactly these ``n`` values (tuples stay whole)."""
    return np.fromiter(values, dtype=object, count=n)


def _clean_column(f: Field, raw: pd.Series, today: date) -> tuple[np.ndarray, np.ndarray]:
    """:func:`clean_value` over a column, once per distinct value: (values, problems)."""
    codes, distinct = distinct_values(raw.to_numpy(dtype=object))
    if f.kind in ("text", "email", "phone", "link"):  # a number in a text column is its text
        distinct = [cell_text(v) for v in distinct]
    pairs = [clean_value(f, v, today) for v in distinct]
    values = _objects((v for v, _ in pairs), len(pairs))
    problems = _objects((p for _, p in pairs), len(pairs))
    return values[codes], problems[codes]


def _broken_rows(rule: Rule, a: pd.Series, b: pd.Series) -> np.ndarray:
    """Where a row rule is broken, checked once per distinct pair of values (as a mask)."""
    codes_a, distinct_a = distinct_values(a.to_numpy(dtype=object))
    codes_b, distinct_b = distinct_values(b.to_numpy(dtype=object))
    width = len(distinct_b)
    pairs, where = np.unique(codes_a * width + codes_b, return_inverse=True)
    verdicts = [_breaks(rule, distinct_a[p // width], distinct_b[p % width]) for p in pairs]
    return np.array(verdicts, dtype=bool)[where]


def validate_frame(
    table: str | Table, frame: pd.DataFrame, *, today: date | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check and clean every row of a frame of raw values; problems carry the row label.

    The same :func:`clean_value` runs on every cell, so a file row and a form entry
    meet exactly the same rules. Missing columns count as blank.

    Returns
    -------
    (clean, problems)
        The cleaned frame (extra columns kept) and every problem, by row.
    """
    spec = TABLES[table] if isinstance(table, str) else table
    today = today or date.today()
    clean = frame.copy()
    problems: list[Problem] = []
    rows = frame.index.to_numpy()
    blank = pd.Series(None, index=frame.index, dtype=object)
    for f in spec.inputs:
        values, found = _clean_column(f, frame.get(f.name, blank), today)
        clean[f.name] = pd.Series(values, index=frame.index, dtype=object)
        problems += [
            replace(found[i], row=int(rows[i]))
            for i in np.flatnonzero(found != None)  # noqa: E711
        ]
    for rule in spec.rules:
        if rule.other not in clean.columns:
            continue
        broken = _broken_rows(rule, clean[rule.field], clean[rule.other])
        problems += [
            Problem(rule.field, rule.message, int(r), check=rule.check) for r in rows[broken]
        ]
    problems.sort(key=lambda p: p.row or 0)
    return clean, problems


def frame_dtypes(table: str) -> dict[str, Any]:
    """The pandas dtype of each column in frames handed to users."""
    out: dict[str, Any] = {}
    for f in TABLES[table].fields:
        if f.kind in ("id", "ref"):
            out[f.name] = "Int64"
        elif f.kind == "date":
            out[f.name] = "datetime64[us]"
        elif f.kind == "enum":
            out[f.name] = pd.CategoricalDtype(list(CHOICES[f.choices or f.name]))
        elif f.kind == "bytes":
            out[f.name] = object
        elif f.kind == "seconds":
            out[f.name] = "Float64"
        else:
            out[f.name] = "string"
    return out


def to_frame_dtypes(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give a raw frame (from SQL or CSV) the proper dtypes: dates, categories, ids."""
    for name, dtype in frame_dtypes(table).items():
        if name not in frame.columns:
            continue
        if dtype == "datetime64[us]":
            frame[name] = pd.to_datetime(frame[name], format="ISO8601").astype(dtype)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame
