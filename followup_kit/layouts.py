"""A coach's own spreadsheet layout: their column names and words, read into ours.

A layout maps a file's columns to the workbook's fields (:class:`ColumnMapping`) and
their words to ours ("Final Round" -> open, "Rejected" -> rejected); :func:`prepare`
reads a file's rows through it into the flat import layout, with dates read once for
the whole file (``dayfirst``). Layouts a coach confirmed are remembered by header
(:func:`remember`). :mod:`followup_kit.mapping` suggests layouts;
:mod:`followup_kit.spreadsheets` imports and exports through them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import schema
from .dates import is_blank
from .exceptions import BadFileError, Problem, ValidationError

if TYPE_CHECKING:
    from .store import Workbook

__all__ = ["FIELD_LABELS", "ColumnMapping", "ImportResult", "parse_date"]

log = logging.getLogger(__name__)

#: Every field a file column can hold, with the plain words a coach sees for it.
FIELD_LABELS: dict[str, str] = {
    "client": "Client (whose interview it is)",
    "cohort": "Workshop group",
    "country": "Country (two letters)",
    "company": "Company",
    "role": "Role or job title",
    "round": "Interview round",
    "interview_date": "Interview date",
    "format": "Format (phone, video, in person)",
    "contact_route": "Who they dealt with (direct, HR, agency)",
    "decision_expected": "Decision expected by",
    "status": "Status",
    "hr_name": "HR or recruiter contact: name",
    "hr_email": "HR or recruiter contact: email",
    "hr_phone": "HR or recruiter contact: phone",
    "posting_link": "Job posting link",
    "interviewers": "Interviewer or contact names",
    "interviewer_email": "Interviewer or contact email",
    "thank_you_date": "Thank-you sent on",
    "thank_you_channel": "Thank-you sent by",
    "status_check_date": "Follow-up (status check) sent on",
    "status_check_channel": "Follow-up sent by",
    "response_date": "Reply received on",
    "response_result": "What the reply said",
    "response_channel": "Reply came by",
    "notes": "Notes",
}

#: The file name of the remembered mappings, in the workbook's data folder.
REMEMBERED_FILE = "import_mappings.json"

NOTES_FIELD = ""  # a known column we do not store: suggested for the notes


def enum_key(name: str) -> str | None:
    """The :data:`schema.CHOICES` key of a flat enum field, else None."""
    try:
        f = schema.FLAT[name]
    except KeyError:
        return None
    return (f.choices or f.name) if f.kind == "enum" else None


DATE_FIELDS = tuple(f.name for f in schema.FLAT.fields if f.kind == "date")

# -- column names -------------------------------------------------------------------------

#: Whole header names (normalised: lower case, words split by single spaces).
SYNONYMS: dict[str, str] = {}
for _field, _names in {
    "client": "client, client name, job seeker, jobseeker, candidate, candidate name, "
    "coachee, participant, member",
    "cohort": "cohort, group, workshop, workshop group, class, intake",
    "country": "country, country code",
    "company": "company, company name, employer, organisation, organization, org, firm, "
    "business, hiring company, employer name",
    "role": "role, position, job title, title, job, role title, position title, job role, "
    "vacancy, job name, position applied for, role applied for",
    "round": "round, interview round, interview stage, which round, stage of interview",
    "interview_date": "interview date, date of interview, interviewed on, interview on, "
    "interview day, date interviewed, interview, interview date time, interview datetime",
    "format": "format, interview format, interview type, mode, interview mode, medium, "
    "type of interview",
    "contact_route": "contact route, route, via, through, recruited via, channel of contact",
    "decision_expected": "decision expected, decision date, expected decision, decision by, "
    "hear back by, expected response, expected decision date, decision due",
    "status": "status, application status, outcome, stage, current status, state, progress, "
    "current stage, result, pipeline stage",
    "interviewers": "interviewers, interviewer, interviewer name, interviewer names, contact, "
    "contacts, contact person, contact name, recruiter, recruiter name, hiring manager, "
    "point of contact, poc, who, spoke with, interviewed by, met with",
    "interviewer_email": "interviewer email, contact email, recruiter email, email, e mail, "
    "email address, contact e mail, hiring manager email",
    "thank_you_date": "thank you date, thank you sent, thank you, thank you note, "
    "thank you email, ty sent, thank you sent on, date thank you sent, thanked on",
    "thank_you_channel": "thank you channel, thank you via, thank you sent by",
    "status_check_date": "status check date, status check, follow up date, follow up, "
    "followed up, follow up sent, followed up on, date followed up, last follow up, "
    "check in date, follow up on",
    "status_check_channel": "status check channel, follow up channel, follow up via, "
    "followed up via",
    "response_date": "response date, reply date, heard back, heard back on, date heard back, "
    "response received, reply received, response received on, feedback date",
    "response_result": "response result, reply result, response, reply, their reply, "
    "what they said, feedback result",
    "response_channel": "response channel, reply channel, reply via, response via",
    "notes": "notes, note, comments, comment, remarks, details, observations",
    "hr_name": "hr name, hr contact, hr contact name, hr or recruiter contact, "
    "hr or recruiter contact name",
    "hr_email": "hr email, hr contact email, hr or recruiter contact email",
    "hr_phone": "hr phone, hr contact phone, hr or recruiter contact phone",
    "posting_link": "posting link, job posting link",
    NOTES_FIELD: "date applied, applied, applied on, application date, date of application, "
    "salary, salary range, salary rate, rate, pay, compensation, location, city, remote, "
    "source, job source, found via, where found, job url, url, link, job link, posting, "
    "job posting, last action, next action, next step, next steps, next follow up, "
    "follow up by, follow up due, next follow up date, reminder, priority, excitement, "
    "rating, interest, contact phone, phone, phone number, referral, referred by, benefits, "
    "deadline, closing date, job id, reference, job description, cover letter, resume, cv",
}.items():
    for _name in _names.split(","):
        SYNONYMS[_name.strip()] = _field

#: Words a header may contain, tried in order when the whole name is not known.
KEYWORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("next", "follow"), NOTES_FIELD),
    (("follow", "due"), NOTES_FIELD),
    (("email",), "interviewer_email"),
    (("salary",), NOTES_FIELD),
    (("url",), NOTES_FIELD),
    (("link",), NOTES_FIELD),
    (("applied",), NOTES_FIELD),
    (("thank",), "thank_you_date"),
    (("follow",), "status_check_date"),
    (("interview", "date"), "interview_date"),
    (("decision",), "decision_expected"),
    (("heard",), "response_date"),
    (("reply",), "response_result"),
    (("response",), "response_result"),
    (("status",), "status"),
    (("outcome",), "status"),
    (("stage",), "status"),
    (("round",), "round"),
    (("company",), "company"),
    (("employer",), "company"),
    (("organi",), "company"),
    (("position",), "role"),
    (("title",), "role"),
    (("role",), "role"),
    (("recruiter",), "interviewers"),
    (("interviewer",), "interviewers"),
    (("contact",), "interviewers"),
    (("manager",), "interviewers"),
    (("client",), "client"),
    (("candidate",), "client"),
    (("note",), "notes"),
    (("comment",), "notes"),
    (("format",), "format"),
    (("cohort",), "cohort"),
)


def name_key(header: object) -> str:
    """``"Follow-up Date "`` -> ``"follow up date"``: lower case words, single spaces."""
    text = str(header).replace("\ufeff", "").casefold().replace("(s)", "s")
    return " ".join(re.findall(r"[0-9a-z]+", text))


# -- their words for our values -------------------------------------------------------------

WORDS: dict[str, dict[str, str]] = {}
for _key, _table in {
    "status": {
        "open": "interview, interviewing, interviewed, interview scheduled, scheduled, "
        "waiting, pending, in progress, in process, applied, awaiting, awaiting response, "
        "awaiting feedback, waiting to hear, waiting for response, screening, phone screen, "
        "screen, first round, first interview, second round, second interview, third round, "
        "final round, final interview, final, panel, panel interview, technical, "
        "technical interview, onsite, on site, assessment, shortlisted, under review, "
        "in review, follow up, followed up, active, ongoing, hr interview, recruiter call, "
        "recruiter screen, 1st round, 2nd round, 3rd round",
        "next_round": "next round, next stage, moving forward, moved forward, advanced, "
        "progressed, invited back, invited to next round, through to next round",
        "offer": "offer, offered, offer received, job offer, offer made, accepted, "
        "offer accepted, hired, got the job, success, successful",
        "rejected": "rejected, rejection, not selected, unsuccessful, declined, turned down, "
        "no, not moving forward, not progressed, regret, failed, rejected after interview",
        "withdrawn": "withdrawn, withdrew, i withdrew, withdrew application, declined offer, "
        "not interested, pulled out, offer declined, retracted",
        "ghosted": "ghosted, no response, no reply, no answer, no news, silence, "
        "never heard back, no contact, dead, closed, expired",
    },
    "result": {
        "next_round": "next round, moving forward, invited back, second interview, advanced, "
        "progressed",
        "offer": "offer, offered, hired, accepted, job offer",
        "rejection": "rejected, rejection, not selected, unsuccessful, declined, no, turned down",
        "still_deciding": "waiting, pending, still deciding, on hold, undecided, in review, "
        "update, holding",
    },
    "round": {
        "screen": "phone screen, screen, screening, recruiter call, recruiter screen, "
        "hr screen, phone interview, intro call, initial call, hr interview",
        "first": "first, first round, 1st, 1st round, first interview, round 1, interview 1",
        "second": "second, 2nd, second round, 2nd round, round 2, second interview",
        "final": "final, final round, final interview, last round, final stage",
        "panel": "panel, panel interview, assessment centre, assessment center",
        "other": "technical, technical interview, case study, take home, third round, 3rd round",
    },
    "format": {
        "phone": "phone, phone call, call, telephone, phone interview",
        "video": "video, video call, zoom, teams, microsoft teams, google meet, meet, skype, "
        "webex, remote, online, virtual",
        "onsite": "onsite, on site, in person, office, face to face, f2f, in office",
    },
    "channel": {
        "email": "email, e mail, mail",
        "phone": "phone, call, phone call",
        "voicemail": "voicemail, vm, voice mail",
        "linkedin": "linkedin, linked in, linkedin message, inmail",
        "handwritten": "handwritten, card, letter, thank you card",
        "text": "text, sms, whatsapp, text message",
    },
    "contact_route": {
        "direct": "direct, company, hiring manager, in house",
        "hr": "hr, human resources, talent acquisition, ta",
        "agency": "agency, recruiter, recruitment agency, headhunter",
    },
}.items():
    WORDS[_key] = {w.strip(): v for v, words in _table.items() for w in words.split(",")}

#: A status word that also names the round ("Final Round"): fills a blank round.
_ROUND_FROM_STATUS = {w: r for w, r in WORDS["round"].items() if " " in w or w == "final"}


def word_key(value: object) -> str:
    """``"✅ Offer!"`` -> ``"offer"``: emoji, marks and case dropped, words kept."""
    text = str(value).casefold().replace("'", "")
    return " ".join(re.findall(r"[0-9a-z]+", text))


def our_value(choices: str, word: object) -> str | None:
    """Our value for ``word`` if it is one of ours (value or label, any case, emoji too)."""
    key = word_key(word)
    for value, label in schema.CHOICES[choices].items():
        if key in (word_key(value), word_key(label)):
            return value
    return None


# -- dates ---------------------------------------------------------------------------------

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NUMERIC = re.compile(r"(\d{1,4})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{2,4})")
# A time after the date is dropped, but only a real one ("T99:99:99" is a typo).
_TIME = re.compile(r"[ T]+([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?(\s*[ap]\.?m\.?)?$", re.I)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_SERIAL = (20_000, 80_000)  # Excel day numbers between 1954 and 2119


def _day(y: int, m: int, d: int) -> date | None:
    if y < 100:
        y += 2000
    try:
        return date(y, m, d)
    except ValueError:
        return None


@dataclass(frozen=True)
class _DateRead:
    """One cell read as a date: the date, or why not, and what it says about the order."""

    day: date | None
    message: str | None = None
    order: str | None = None  # "dayfirst", "monthfirst", "ambiguous" or None (no evidence)


def read_date(value: object, dayfirst: bool | None, *, numbers: bool = False) -> _DateRead:
    if isinstance(value, datetime):
        return _DateRead(value.date())
    if isinstance(value, date):
        return _DateRead(value)
    if numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel date cell formatted as a number: days since 1899-12-30.
        if math.isfinite(value) and _SERIAL[0] <= value <= _SERIAL[1]:
            return _DateRead(date(1899, 12, 30) + timedelta(days=int(value)))
        return _DateRead(None, "not a date I can read.")
    text = _TIME.sub("", str(value).strip())
    if _ISO.fullmatch(text):
        d = _day(int(text[:4]), int(text[5:7]), int(text[8:10]))
        return _DateRead(d, None if d else "not a date I can read.")
    match = _NUMERIC.fullmatch(text)
    if match:
        a, _, b, c = match.groups()
        if len(a) == 4:  # 2025/03/04
            d = _day(int(a), int(b), int(c))
            return _DateRead(d, None if d else "not a date I can read.")
        if len(c) == 3:
            return _DateRead(None, "not a date I can read.")
        first, second, year = int(a), int(b), int(c)
        as_dmy, as_mdy = _day(year, second, first), _day(year, first, second)
        if dayfirst is True:
            return _DateRead(as_dmy, None if as_dmy else "not a date (day first) I can read.")
        if dayfirst is False:
            return _DateRead(as_mdy, None if as_mdy else "not a date (month first) I can read.")
        if as_dmy and as_mdy and as_dmy != as_mdy:
            return _DateRead(
                None,
                f"{text} could be {schema.format_day(as_dmy)} or {schema.format_day(as_mdy)}; "
                "say whether the day or the month comes first.",
                "ambiguous",
            )
        if as_dmy and not as_mdy:
            return _DateRead(as_dmy, order="dayfirst")
        if as_mdy and not as_dmy:
            return _DateRead(as_mdy, order="monthfirst")
        return _DateRead(as_dmy, None if as_dmy else "not a date I can read.")
    return _words_date(text)


def _words_date(text: str) -> _DateRead:
    """``"4 Mar 2025"``, ``"March 4, 2025"``, ``"Tue 4 Mar 2025"``, ``"04-Mar-25"``."""
    tokens = [t for t in re.findall(r"[a-z]+|\d+", text.casefold()) if t[:3] not in _WEEKDAYS]
    months = [t for t in tokens if t.isalpha() and len(t) >= 3 and t[:3] in _MONTHS]
    numbers = [t for t in tokens if t.isdigit()]
    others = [
        t
        for t in tokens
        if t.isalpha() and t not in months and t not in ("st", "nd", "rd", "th", "of")
    ]
    if len(months) != 1 or len(numbers) != 2 or others:
        return _DateRead(None, "not a date I can read.")
    month = _MONTHS[months[0][:3]]
    day_text, year_text = numbers
    if len(day_text) > 2:  # "2025 Mar 4"
        day_text, year_text = year_text, day_text
    d = _day(int(year_text), month, int(day_text)) if len(year_text) in (2, 4) else None
    return _DateRead(d, None if d else "not a date I can read.")


def parse_date(value: object, *, dayfirst: bool | None = None) -> date | None:
    """A date from a cell as spreadsheets write it; None when blank or unreadable.

    ISO dates, Excel date cells, ``4 Mar 2025`` and ``March 4, 2025`` are read as
    they are. ``03/04/2025`` needs ``dayfirst`` (True: 3 April); without it only dates
    that can be read one way (``15/03/2025``) are read.

    Examples
    --------
    >>> parse_date("03/04/2025", dayfirst=True), parse_date("03/04/2025")
    (datetime.date(2025, 4, 3), None)
    >>> parse_date("15/03/2025"), parse_date("Tue 4 Mar 2025")
    (datetime.date(2025, 3, 15), datetime.date(2025, 3, 4))
    """
    if is_blank(value):
        return None
    return read_date(value, dayfirst).day


# -- the suggestion ------------------------------------------------------------------------


@dataclass
class ColumnMapping:
    """What each column of a file holds, as suggested (or confirmed) for an import.

    ``mapping`` gives each column its field or None; ``keep_in_notes`` the columns
    kept as lines in the notes; ``values`` each column's words for our values;
    ``unknown`` the words nobody knows yet; ``samples`` a few values per column (as
    text); ``reasons`` why each column got its field ("name", "synonym", "values",
    "remembered"...). Pass :meth:`options` to :meth:`Workbook.import_table`.
    """

    columns: list[str]
    mapping: dict[str, str | None]
    keep_in_notes: list[str] = field(default_factory=list)
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    unknown: dict[str, list[str]] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    dayfirst: bool | None = None
    ambiguous_dates: list[str] = field(default_factory=list)
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    remembered: bool = False
    #: Each column's distinct words (up to 200), for :meth:`meanings`.
    words: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def needs_client(self) -> bool:
        """Whether no column names the client (then ``client=`` must)."""
        return "client" not in self.mapping.values()

    def meanings(self, column: str, field_name: str | None) -> dict[str, str | None]:
        """The column's words that are not ours, each with its suggested meaning or None.

        For a column that holds status, result, round, format, channel or route words;
        empty for any other field. Remembered or given ``values`` come first.
        """
        key = enum_key(field_name) if field_name else None
        if key is None:
            return {}
        known, unknown = value_words(key, self.words.get(column, []))
        given = self.values.get(column, {}) if self.mapping.get(column) == field_name else {}
        out: dict[str, str | None] = {**known, **dict.fromkeys(unknown)}
        allowed = schema.CHOICES[key]
        out.update({w: v for w, v in given.items() if w in out and (v in allowed or not v)})
        return out

    def options(self) -> dict[str, Any]:
        """The keyword arguments of :meth:`Workbook.import_table` for this mapping."""
        return {
            "mapping": dict(self.mapping),
            "values": {c: dict(v) for c, v in self.values.items()},
            "dayfirst": self.dayfirst,
            "keep_in_notes": list(self.keep_in_notes),
            "sheet": self.sheet,
        }


def as_text(value: object) -> str:
    """A cell as a person reads it: dates as "Tue 4 Mar 2025", 85000.0 as "85000"."""
    if is_blank(value):
        return ""
    if isinstance(value, (datetime, date)):
        return schema.format_day(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def hashable(v: Any) -> Any:
    try:
        hash(v)
    except TypeError:
        return str(v)
    return v


# -- remembered mappings -------------------------------------------------------------------


def header_hash(columns: Iterable[object]) -> str:
    """A short hash of a header, the same whatever the case, spacing or punctuation."""
    text = "\x1f".join(name_key(c) for c in columns)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _remembered_path(wb: Workbook) -> Path:
    return Path(wb.data_dir) / REMEMBERED_FILE


def load_remembered(wb: Workbook) -> dict[str, Any]:
    try:
        data = json.loads(_remembered_path(wb).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(wb: Workbook, columns: list[str], options: Mapping[str, Any]) -> None:
    """Keep a confirmed mapping for files with the same header; a failure only logs."""
    entry = {
        "columns": list(columns),
        "mapping": dict(options.get("mapping") or {}),
        "keep_in_notes": list(options.get("keep_in_notes") or []),
        "values": {str(k): v for k, v in (options.get("values") or {}).items()},
        "dayfirst": options.get("dayfirst"),
    }
    path = _remembered_path(wb)
    try:
        data = load_remembered(wb)
        data[header_hash(columns)] = entry
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(part, path)
    except (OSError, TypeError, ValueError) as err:  # a read-only folder must not undo an import
        log.warning("Could not remember the import mapping in %s: %s", path, err)


# -- reading a file with a mapping -----------------------------------------------------------


class ImportResult(dict):
    """Rows added per table (a dict), and the spreadsheet rows skipped for having no
    interview date (``skipped_rows``; ``skipped`` counts them)."""

    def __init__(self, added: Mapping[str, int], *, skipped_rows: Iterable[int] = ()) -> None:
        super().__init__(added)
        self.skipped_rows: tuple[int, ...] = tuple(skipped_rows)

    @property
    def skipped(self) -> int:
        """How many rows had no interview date and were left out."""
        return len(self.skipped_rows)

    def __repr__(self) -> str:
        return f"ImportResult({dict.__repr__(self)}, skipped={self.skipped})"


@dataclass
class Prepared:
    """A file's rows as flat fields, ready for the schema; what was found on the way."""

    flat: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)
    #: The file's column for each field, so problems name what the coach sees.
    columns_of: dict[str, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)

    def named(self, problems: Iterable[Problem]) -> list[Problem]:
        """Every problem once (those found here first), by row, under the file's column."""
        seen = {(p.row, p.field) for p in self.problems}
        out = list(self.problems)
        for p in problems:
            column = self.columns_of.get(p.field, p.field)
            if p.field == "interviewers" and "email address" in p.message:
                column = self.columns_of.get("interviewer_email", column)
            if (p.row, column) not in seen:
                out.append(replace(p, field=column))  # its check code kept
        return sorted(out, key=lambda p: p.row or 0)


def prepare(
    raw: pd.DataFrame,
    wb: Workbook,
    path: object,
    *,
    mapping: Mapping[str, str | None] | None = None,
    values: Mapping[str, Any] | None = None,
    dayfirst: bool | None = None,
    client: str | int | None = None,
    keep_in_notes: Iterable[str] | None = None,
    numbers: bool = False,
) -> Prepared:
    """Turn a file's rows (its own headers) into flat fields, as ``import_table`` reads them.

    Columns follow ``mapping`` (file column -> field, None: not stored), else their own
    name when it is one of ours; a column neither mapped nor kept in the notes is
    refused, so nothing is lost silently. Rows without an interview date are skipped.
    """
    columns = list(raw.columns)
    by_key = {name_key(c): c for c in columns}
    given = {_find(c, by_key, path, "mapping"): f for c, f in (mapping or {}).items()}
    kept = [_find(c, by_key, path, "keep_in_notes") for c in keep_in_notes or ()]
    target: dict[str, str | None] = {}
    unknown = []
    for c in columns:
        if c in given:
            target[c] = given[c] or None
        elif name_key(c).replace(" ", "_") in schema.FLAT.columns:
            target[c] = name_key(c).replace(" ", "_")
        elif c in kept:
            target[c] = None
        else:
            unknown.append(c)
    bad_fields = sorted({str(f) for f in target.values() if f and f not in FIELD_LABELS})
    if bad_fields:
        raise ValidationError(
            [
                Problem("mapping", f"{f!r} is not a field; use one of: {', '.join(FIELD_LABELS)}.")
                for f in bad_fields
            ],
            what="mapping",
        )
    if unknown:
        raise BadFileError(
            path,
            f"no field for column(s) {', '.join(map(repr, unknown))}; map each to a field, "
            "to None to leave it out, or keep it in the notes.",
            check="unknown_column",
        )
    doubled = twice(target)
    if doubled:
        raise ValidationError(
            [
                Problem(
                    c,
                    f"{FIELD_LABELS[f]} comes from {' and '.join(cs)}; choose one.",
                    check="same_field",
                )
                for f, cs in doubled.items()
                for c in cs[1:]
            ],
            what="mapping",
        )
    columns_of = {f: c for c, f in target.items() if f}
    flat = pd.DataFrame(
        {f: raw[c].to_numpy(dtype=object) for f, c in columns_of.items()}, index=raw.index
    )
    name = _client_name(wb, client)
    if name is not None:
        current = flat["client"] if "client" in flat else pd.Series(None, index=flat.index)
        flat["client"] = current.where(~current.map(is_blank), name)
    missing = [f for f in ("client", "company", "role", "interview_date") if f not in flat]
    if missing:
        hint = " or name the client (client=...)" if "client" in missing else ""
        raise BadFileError(
            path,
            f"required column(s) missing: {', '.join(missing)}; map a column to each{hint}.",
            check="missing_column",
        )
    prepared = Prepared(flat, columns_of=columns_of, header=columns)
    blank = flat["interview_date"].map(is_blank)
    prepared.skipped_rows = [int(r) for r in flat.index[blank]]
    flat = prepared.flat = flat[~blank].copy()
    notes = [c for c in columns if c in kept and target.get(c) is None]
    if notes:
        flat["notes"] = _with_notes(flat.get("notes"), raw.loc[flat.index, notes])
        columns_of.setdefault("notes", notes[0])
    _translate_words(prepared, _per_column(values, target), columns_of)
    _result_from_status(prepared.flat)
    _read_dates(prepared, dayfirst, numbers)
    return prepared


#: What a reply said, from the status, when a file has a reply date but no result column.
_RESULT_OF_STATUS = {
    "offer": "offer",
    "rejected": "rejection",
    "next_round": "next_round",
    "open": "still_deciding",
}


def _result_from_status(flat: pd.DataFrame) -> None:
    if "response_date" not in flat or "response_result" in flat or "status" not in flat:
        return
    heard = ~flat["response_date"].map(is_blank)
    result = flat["status"].map(lambda s: _RESULT_OF_STATUS.get(s, "other"))
    flat["response_result"] = result.where(heard, None).astype(object)


def _find(column: str, by_key: Mapping[str, str], path: object, what: str) -> str:
    found = by_key.get(name_key(column))
    if found is None:
        raise BadFileError(
            path,
            f"{what} names a column the file does not have: {column!r}.",
            check="unknown_column",
        )
    return found


def twice(target: Mapping[str, str | None]) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for c, f in target.items():
        if f:
            by_field.setdefault(f, []).append(c)
    return {f: cs for f, cs in by_field.items() if len(cs) > 1}


def _client_name(wb: Workbook, client: str | int | None) -> str | None:
    if client is None or (isinstance(client, str) and not client.strip()):
        return None
    if isinstance(client, str):
        return client.strip()
    names = wb.clients().set_index("id")["name"]
    if client not in names.index:
        from .exceptions import NotFoundError

        raise NotFoundError("clients", client)
    return str(names[client])


def _with_notes(notes: pd.Series | None, kept: pd.DataFrame) -> pd.Series:
    """Their notes, then one "Column: value" line per kept column that has a value."""
    lines = pd.DataFrame(
        {c: kept[c].map(lambda v, c=c: f"{c}: {as_text(v)}" if as_text(v) else "") for c in kept},
        index=kept.index,
    )
    if notes is not None:
        lines.insert(0, "_notes", notes.map(as_text))
    joined = lines.apply(lambda row: "\n".join(t for t in row if t), axis=1)
    return joined.where(joined != "", None).astype(object)


def _per_column(
    values: Mapping[str, Any] | None, target: Mapping[str, str | None]
) -> dict[str, dict[str, Any]]:
    """``values`` by file column: keyed by column or field, or one flat dict for status."""
    if not values:
        return {}
    if not all(isinstance(v, Mapping) for v in values.values()):
        status = [c for c, f in target.items() if f == "status"]
        return {c: dict(values) for c in status}
    out: dict[str, dict[str, Any]] = {}
    keys = {name_key(k): k for k in values}
    for c, f in target.items():
        for name in (c, f):
            if name and name_key(name) in keys:
                out.setdefault(c, {}).update(values[keys[name_key(name)]])
    return out


def _translate_words(
    prepared: Prepared, words: Mapping[str, Mapping[str, Any]], columns_of: Mapping[str, str]
) -> None:
    """Their words -> ours in enum columns; a status word naming a round fills a blank round."""
    flat = prepared.flat
    if "status" in flat:
        hints = flat["status"].map(lambda v: _ROUND_FROM_STATUS.get(word_key(v)))
        if "round" not in flat:
            flat["round"] = None
        blank = flat["round"].map(is_blank)
        flat["round"] = flat["round"].where(~(blank & hints.notna()), hints).astype(object)
    for f in list(flat.columns):
        key = enum_key(f)
        if key is None:
            continue
        theirs = {word_key(w): v for w, v in words.get(columns_of.get(f, ""), {}).items()}

        def ours(v: Any, key: str = key, theirs: dict = theirs) -> Any:
            if is_blank(v):
                return None
            k = word_key(v)
            if k in theirs:
                return theirs[k] or None  # None or "": leave it blank (the default)
            return our_value(key, v) or v  # unknown words stay, for the schema to name

        flat[f] = schema.per_distinct(ours, flat[f].to_numpy(dtype=object))


def _read_dates(prepared: Prepared, dayfirst: bool | None, numbers: bool) -> None:
    """Dates as spreadsheets write them; ambiguous ones named when nobody said the order."""
    flat = prepared.flat
    for f in DATE_FIELDS:
        if f not in flat:
            continue
        reads = schema.per_distinct(
            lambda v: None if is_blank(v) else read_date(v, dayfirst, numbers=numbers),
            flat[f].to_numpy(dtype=object),
        )
        column = prepared.columns_of.get(f, f)
        cleaned = []
        for row, raw, read in zip(flat.index, flat[f].tolist(), reads, strict=True):
            if read is None:
                cleaned.append(None)
            elif read.day is None:
                cleaned.append(raw)
                if read.order == "ambiguous":
                    prepared.problems.append(Problem(column, read.message, int(row)))
            else:
                cleaned.append(read.day)
        flat[f] = pd.Series(cleaned, index=flat.index, dtype=object)


def value_words(key: str, values: Iterable[Any]) -> tuple[dict[str, str | None], list[str]]:
    """Their words that are not ours: suggested meanings, and the words nobody knows."""
    known: dict[str, str | None] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    for v in values:
        text = str(v).strip()
        if not text or text in seen or our_value(key, text):
            continue
        seen.add(text)
        meaning = WORDS[key].get(word_key(text))
        if meaning is not None:
            known[text] = meaning
        else:
            unknown.append(text)
    return known, unknown
