"""Script templates: filling placeholders in a Jinja2 sandbox, and the values for an interview.

A script's text is a small Jinja2 template (``{{ interviewer }}``, ``{% if ... %}``).
:func:`check_template` refuses anything beyond placeholders, ifs, loops and simple
filters; rendering runs in an immutable sandbox where a missing placeholder shows as a
visible blank such as ``[one thing you discussed]``. :func:`context_for` gives the
values for one logged interview.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

import pandas as pd
from jinja2 import TemplateSyntaxError, Undefined, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .exceptions import NotFoundError, TemplateError
from .schema import CHOICES

__all__ = ["PLACEHOLDERS", "context_for", "render_script_text"]

#: Placeholder names every script may use, and the visible blank shown when one is empty.
PLACEHOLDERS: dict[str, str] = {
    "client_name": "your name",
    "client_first_name": "your first name",
    "client_phone": "your phone number",
    "client_email": "your email",
    "interviewer": "interviewer's name",
    "interviewer_title": "interviewer's job title",
    "company": "company",
    "role": "job title",
    "round": "interview round",
    "interview_date": "day of the interview",
    "interview_day": "weekday of the interview",
    "decision_date": "date they said they would decide",
    "specific_point": "one thing you discussed",
    "new_point": "something new since you last wrote",
    "recruiter": "recruiter's name",
    "hr_contact": "HR contact's name",
    "other_company": "the other company",
    "offer_deadline": "date your answer to the other offer is due",
    "concern": "the concern they raised",
    "example_1": "a concrete example",
    "example_2": "a second example",
}


# --------------------------------------------------------------------------- rendering
# check_template, is_blank and render_template are package-internal: the library checks
# each script when it loads and fills scripts through them.
class _BlankText(str):
    """A filled-in blank: prints as "[hint]" but counts as empty in ``{% if %}``."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False


class _Blank(Undefined):
    """A missing placeholder renders as a visible blank; unsafe access still raises."""

    __slots__ = ()
    hints: Mapping[str, str] = PLACEHOLDERS

    def _unsafe(self) -> bool:
        return isinstance(self._undefined_exception, type) and issubclass(
            self._undefined_exception, SecurityError
        )

    def __str__(self) -> str:
        if self._unsafe():
            self._fail_with_undefined_error()
        name = self._undefined_name or "missing"
        return f"[{self.hints.get(name, name.replace('_', ' '))}]"

    def __iter__(self):  # type: ignore[override]
        if self._unsafe():
            self._fail_with_undefined_error()
        return iter(())

    def __bool__(self) -> bool:
        if self._unsafe():
            self._fail_with_undefined_error()
        return False

    def __len__(self) -> int:
        if self._unsafe():
            self._fail_with_undefined_error()
        return 0


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with no globals and limits on string/number blow-ups."""

    intercepted_binops = frozenset({"*", "**"})
    _LIMIT = 20_000

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                raise SecurityError("that power is too large for a script")
            return operator.pow(left, right)
        if isinstance(left, int | float) and isinstance(right, int | float):
            return left * right
        size = len(left) if hasattr(left, "__len__") else 1
        count = right if isinstance(right, int) else (left if isinstance(left, int) else 1)
        if isinstance(left, int) and hasattr(right, "__len__"):
            size = len(right)
        if size * abs(count) > self._LIMIT:
            raise SecurityError("that repetition makes the text too long")
        return left * right


def _finalize(value: Any) -> Any:
    return "[missing]" if value is None else value


@cache
def _env() -> _Sandbox:
    env = _Sandbox(autoescape=False, undefined=_Blank, finalize=_finalize)
    env.globals.clear()  # no range, cycler, joiner, namespace, lipsum, dict
    return env


# Names and filters a script never needs: Jinja's globals (cycler, joiner, namespace ...)
# and the filters that reach attributes by a name given as text.
_FORBIDDEN_NAMES = frozenset(
    "cycler joiner namespace lipsum range dict self config request os sys builtins import "
    "open eval exec globals locals vars getattr setattr type object super varargs kwargs "
    "caller".split()
)
_FORBIDDEN_FILTERS = frozenset(
    "attr xmlattr map selectattr rejectattr groupby sort unique min max sum indent pprint".split()
)


def check_template(text: str) -> nodes.Template:
    """Parse a template and refuse anything beyond plain placeholders, ifs, loops and filters."""
    env = _env()
    try:
        tree = env.parse(text)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"line {exc.lineno}: {exc.message}") from None
    for node in tree.find_all(
        (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Block)
    ):
        kind = type(node).__name__.lower()
        raise TemplateError(
            f"a script cannot {kind} other files or templates (line {node.lineno})."
        )
    for node in tree.find_all(nodes.Name):
        if node.name.startswith("_") or node.name in _FORBIDDEN_NAMES:
            raise TemplateError(
                f"the name {node.name!r} is not allowed in a script (line {node.lineno})."
            )
    for node in tree.find_all(nodes.Getattr):
        if node.attr.startswith("_"):
            raise TemplateError(
                f"reaching {node.attr!r} is not allowed in a script (line {node.lineno})."
            )
    for node in tree.find_all(nodes.Getitem):
        if (
            isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
            and (node.arg.value.startswith("_"))
        ):
            raise TemplateError(
                f"reaching {node.arg.value!r} is not allowed in a script (line {node.lineno})."
            )
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        if isinstance(node, nodes.Filter) and node.name in _FORBIDDEN_FILTERS:
            raise TemplateError(
                f"the filter {node.name!r} is not allowed in a script (line {node.lineno})."
            )
    for node in tree.find_all(nodes.Const):
        if isinstance(node.value, str) and "__" in node.value:
            raise TemplateError(
                f"text containing '__' is not allowed inside template code (line {node.lineno})."
            )
    return tree


def is_blank(value: Any) -> bool:
    """True for None, NA, NaT, NaN and text that is only spaces: shown as a blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def render_template(
    text: str, context: Mapping[str, Any], hints: Mapping[str, str], *, strict: bool
) -> str:
    """Check and fill ``text``; an empty placeholder shows its hint (or raises if strict)."""
    tree = check_template(text)
    names = meta.find_undeclared_variables(tree)
    ctx = {k: v for k, v in context.items() if isinstance(k, str) and not k.startswith("_")}
    for name in names:
        if is_blank(ctx.get(name)):
            if strict:
                raise TemplateError(
                    f"the placeholder {{{{ {name} }}}} has no value; fill in "
                    f"{hints.get(name, name.replace('_', ' '))!r} first."
                )
            ctx[name] = _BlankText(f"[{hints.get(name, name.replace('_', ' '))}]")
    try:
        rendered = _env().from_string(tree).render(ctx)
    except TemplateError:
        raise
    except (SecurityError, UndefinedError) as exc:
        raise TemplateError(f"the script tried something not allowed: {exc}") from None
    except TemplateNotFound as exc:
        raise TemplateError(f"a script cannot read other files ({exc}).") from None
    except (
        TypeError,
        ValueError,
        ArithmeticError,
        AttributeError,
        KeyError,
        IndexError,
        RecursionError,
        OverflowError,
    ) as exc:
        raise TemplateError(f"the script could not be filled in: {exc}") from None
    return rendered.strip()


def render_script_text(
    template_text: str, context: Mapping[str, Any], *, strict: bool = False
) -> str:
    """Fill a script template in a sandbox.

    Parameters
    ----------
    template_text
        Jinja2 text using placeholders such as ``{{ interviewer }}``. Only placeholders,
        ``if``/``for`` and simple filters are allowed; reaching Python internals
        (``__class__``, ``__globals__`` ...), other files or globals such as ``cycler``
        raises :class:`followup_kit.TemplateError`.
    context
        Placeholder values, e.g. from :func:`context_for`.
    strict
        If True, a placeholder without a value raises TemplateError naming it; otherwise
        it shows as a visible blank such as ``[one thing you discussed]``.

    Examples
    --------
    >>> render_script_text("Thanks, {{ interviewer }}!", {})
    "Thanks, [interviewer's name]!"
    """
    if not isinstance(template_text, str):
        raise TemplateError(f"a template should be text, got {type(template_text).__name__}.")
    return render_template(template_text, context or {}, PLACEHOLDERS, strict=strict)


# --------------------------------------------------------------------------- context
def _date_words(value: Any) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        value = value.date()
    if not isinstance(value, date):
        return str(value)
    return f"{value:%A} {value.day} {value:%B}"


def context_for(
    wb: Any,
    interview_id: int,
    *,
    interviewer: str | None = None,
    specific_point: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Placeholder values for one logged interview.

    Parameters
    ----------
    wb
        An open Workbook.
    interview_id
        The interview the follow-up is about.
    interviewer
        Whom the message is to; defaults to the first interviewer logged for it.
    specific_point
        One thing from the conversation, typed by the client.
    **extra
        Any further placeholder values (``new_point``, ``recruiter`` ...).

    Returns
    -------
    dict
        client_name, client_first_name, interviewer, interviewer_title, company, role,
        round, interview_date ("Tuesday 4 March"), interview_day, decision_date,
        specific_point, and the extras. Unknown values are None (they render as blanks).
    """
    interviews = wb.interviews()
    row = interviews.loc[interviews["id"] == interview_id]
    if row.empty:
        raise NotFoundError("interviews", interview_id)
    iv = row.iloc[0]
    clients = wb.clients()
    crow = clients.loc[clients["id"] == iv["client_id"]]
    name = None if crow.empty else crow.iloc[0]["name"]
    name = None if is_blank(name) else str(name)
    title = None
    if interviewer is None:
        people = wb.interviewers(int(iv["client_id"]))
        people = people.loc[people["interview_id"] == interview_id]
        if not people.empty:
            interviewer = str(people.iloc[0]["name"])
            t = people.iloc[0].get("title")
            title = None if is_blank(t) else str(t)
    day = iv["interview_date"]
    out = {
        "client_name": name,
        "client_first_name": name.split()[0] if name else None,
        "interviewer": interviewer,
        "interviewer_title": title,
        "company": None if is_blank(iv["company"]) else str(iv["company"]),
        "role": None if is_blank(iv["role"]) else str(iv["role"]),
        "round": None if is_blank(iv["round"]) else CHOICES["round"].get(str(iv["round"])),
        "interview_date": _date_words(day),
        "interview_day": None if is_blank(day) else f"{pd.Timestamp(day):%A}",
        "decision_date": _date_words(iv.get("decision_expected")),
        "specific_point": specific_point or None,
    }
    out.update(extra)
    return out
