"""Script templates: filling placeholders in a Jinja2 sandbox, and the values for an interview.

A script's text is a small Jinja2 template (``{{ interviewer }}``, ``{% if ... %}``).
:func:`check_template` refuses anything beyond placeholders, ifs, loops and simple
filters; rendering runs in an immutable sandbox where a missing placeholder shows as a
visible blank such as ``[one thing you discussed]``. :func:`context_for` gives the
values for one logged interview.

Filling in is bounded: a script over any limit (its length, the longest text it makes,
the length of what it writes, loop turns and calls, number size, time) is
refused with a :class:`~followup_kit.TemplateError` that names the limit.
"""

from __future__ import annotations

import itertools
import re
import string
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache, update_wrapper
from typing import Any

import pandas as pd
from jinja2 import TemplateSyntaxError, Undefined, UndefinedError, meta, nodes, pass_context
from jinja2.exceptions import SecurityError, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg
from jinja2.visitor import NodeTransformer

from .exceptions import NotFoundError, TemplateError
from .schema import CHOICES

__all__ = ["PLACEHOLDERS", "context_for", "greeting_name", "render_script_text"]

#: Placeholder names every script may use, and the visible blank shown when one is empty.
PLACEHOLDERS: dict[str, str] = {
    "client_name": "your name",
    "client_first_name": "your first name",
    "client_phone": "your phone number",
    "client_email": "your email",
    "interviewer": "interviewer's name",
    "interviewer_full_name": "interviewer's name",
    "interviewer_title": "interviewer's job title",
    "interviewer_email": "interviewer's email",
    "company": "company",
    "role": "job title",
    "round": "interview round",
    "interview_date": "day of the interview",
    "interview_day": "weekday of the interview",
    "decision_date": "date they said they would decide",
    "specific_point": "one thing you discussed",
    "new_point": "something new since you last wrote",
    "recruiter": "recruiter's name",
    "recruiter_email": "recruiter's email",
    "recruiter_phone": "recruiter's phone number",
    "hr_contact": "HR contact's name",
    "hr_email": "HR contact's email",
    "hr_phone": "HR contact's phone number",
    "posting_link": "link to the job posting",
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


# --------------------------------------------------------------------------- limits
# The sandbox stops Python internals; these stop a script from exhausting the machine.
# A script is refused as soon as it goes over one, long before it could take a second:
# every operation that can make something big checks its size before it computes, and
# every step (loop turn, call, filter, operator, piece of output) checks the clock,
# because a thread cannot be stopped from outside. Real scripts use a tiny fraction.
_MAX_SOURCE = 20_000  # characters of template text in one script section
_MAX_VALUE = 20_000  # characters in any one value a script makes (text, list ...)
_MAX_OUTPUT = 50_000  # characters written in all, literal text included
_MAX_STEPS = 10_000  # loop turns and calls
_MAX_INT_BITS = 128  # whole numbers up to about 38 digits
_MAX_SECONDS = 0.4  # of this thread's CPU time, or ...
_MAX_WALL_SECONDS = 0.8  # ... of the clock once it has used _BUSY_SECONDS of CPU
_BUSY_SECONDS = 0.05  # a real script needs a few milliseconds

_LIMIT_WORDS = {
    "source": f"the script is too long (more than {_MAX_SOURCE:,} characters).",
    "value": f"the script makes a piece of text longer than {_MAX_VALUE:,} characters.",
    "output": f"the filled-in script would be longer than {_MAX_OUTPUT:,} characters.",
    "steps": f"the script repeats itself too often (more than {_MAX_STEPS:,} steps).",
    "number": "the script makes a number that is too large (more than 38 digits).",
    "time": "the script took too long to fill in (a real script takes a few milliseconds).",
    "spec": f"the script asks for a width or count larger than {_MAX_VALUE:,} "
    "(or takes a width from a value).",
}


def _over(limit: str) -> TemplateError:
    return TemplateError(_LIMIT_WORDS[limit])


class _Budget:
    """What one rendering has spent: steps, characters written and time.

    Time is this thread's CPU time, so a real script (a few milliseconds of work) is
    never refused because other programs kept the machine busy; the wall clock also
    counts once the script has done far more work than any real one, so a bomb is
    refused within a second of the clock even on a busy machine. Reading the CPU clock
    is a system call, so it is read every few checks (each check guards one bounded
    operation, so this costs milliseconds at most).
    """

    __slots__ = ("checks", "cpu_start", "output", "steps", "wall_deadline")

    def __init__(self) -> None:
        self.cpu_start = time.thread_time()
        self.wall_deadline = time.perf_counter() + _MAX_WALL_SECONDS
        self.output = 0
        self.steps = 0
        self.checks = 0

    def tick(self, steps: int = 0) -> None:
        self.steps += steps
        if self.steps > _MAX_STEPS:
            raise _over("steps")
        self.checks += 1
        if self.checks % 16 == 0:
            cpu = time.thread_time() - self.cpu_start
            late = time.perf_counter() > self.wall_deadline
            if cpu > _MAX_SECONDS or (late and cpu > _BUSY_SECONDS):
                raise _over("time")


_BUDGET: ContextVar[_Budget | None] = ContextVar("followup_kit_template_budget", default=None)


def _budget() -> _Budget:
    # render_template sets one per rendering; anything else gets a fresh one per call,
    # so the size limits still hold.
    return _BUDGET.get() or _Budget()


def _weight(value: Any, limit: int = _MAX_VALUE) -> int:
    """About how many characters ``value`` takes as text; stops counting past ``limit``.

    Containers count one per item plus their contents, so a list holding the same long
    text many times weighs what printing it would cost, and counting never walks more
    than ``limit`` items.
    """
    total, stack = 0, [value]
    while stack and total <= limit:
        v = stack.pop()
        if isinstance(v, Undefined):
            total += 16
        elif isinstance(v, str | bytes | bytearray):
            total += len(v)
        elif isinstance(v, int):
            total += v.bit_length() // 3 + 1
        elif isinstance(v, Mapping):
            total += 2 + len(v)
            if total <= limit:
                stack.extend(v.keys())
                stack.extend(v.values())
        elif isinstance(v, list | tuple | set | frozenset):
            total += 2 + len(v)
            if total <= limit:
                stack.extend(v)
        else:
            total += 8
    return total


def _check_value(value: Any) -> Any:
    """Refuse a value over the limits; a one-shot iterator comes back as a list."""
    if isinstance(value, Iterator) and not isinstance(value, str):
        items = list(itertools.islice(value, _MAX_VALUE + 1))
        if len(items) > _MAX_VALUE:
            raise _over("value")
        value = items
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise _over("number")
    if _weight(value) > _MAX_VALUE:
        raise _over("value")
    return value


def _check_args(args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    """Every argument but the first is within the limits, numbers (widths, counts) too."""
    for i, arg in enumerate((*args, *kwargs.values())):
        if isinstance(arg, Iterator):
            continue  # measured where it is used, so it is not used up here
        _check_value(arg)
        if i and isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > _MAX_VALUE:
            raise _over("spec")


_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.?)", re.S)


def _spec_width(numbers: Iterable[str | None]) -> int:
    widest = 0
    for n in numbers:
        if n == "*" or (n and len(n) > 6):
            raise _over("spec")
        widest = max(widest, int(n or 0))
    if widest > _MAX_VALUE:
        raise _over("spec")
    return widest


def _check_printf(fmt: str, args: Any) -> None:
    """``fmt % args`` (and the ``format`` filter): refuse before it can grow too long."""
    fields, widest = 0, 0
    for m in _PRINTF.finditer(fmt):
        if m.group(3) == "%":
            continue
        fields += 1
        widest = max(widest, _spec_width((m.group(1), m.group(2))))
    if len(fmt) + fields * (widest + _weight(args)) > _MAX_VALUE:
        raise _over("value")


def _check_braces(fmt: str, args: Any) -> None:
    """``fmt.format(...)``: the same, for ``{0:>20}`` fields."""
    fields, widest = 0, 0
    for _literal, name, spec, _conversion in string.Formatter().parse(fmt):
        if name is None:
            continue
        fields += 1
        if spec and "{" in spec:
            raise _over("spec")
        widest = max(widest, _spec_width(re.findall(r"\d+", spec or "")))
    if len(fmt) + fields * (widest + _weight(args)) > _MAX_VALUE:
        raise _over("value")


def _check_text_call(
    name: str, text: Any, args: Sequence[Any], kwargs: Mapping[str, Any]
) -> list[Any]:
    """Checks for the string methods and filters that can multiply text in one call.

    Returns the arguments with any one-shot iterator turned into a list (so ``join`` can
    both be measured and still see every item).
    """
    args = [_check_value(a) if isinstance(a, Iterator) else a for a in args]

    def arg(i: int, key: str, default: Any = None) -> Any:
        return args[i] if len(args) > i else kwargs.get(key, default)

    text = str(text)
    estimate = len(text)
    if name == "replace":
        old, new, count = str(arg(0, "old", "")), str(arg(1, "new", "")), arg(2, "count")
        hits = text.count(old)
        if isinstance(count, int) and count >= 0:
            hits = min(hits, count)
        estimate += hits * max(0, len(new) - len(old))
    elif name == "join":  # the method: text is the separator
        items = arg(0, "iterable", ())
        count = len(items) if hasattr(items, "__len__") else 0
        estimate = _weight(items) + len(text) * count
    elif name == "indent":
        width = arg(0, "width", 4)
        pad = len(width) if isinstance(width, str) else int(width or 0)
        estimate += pad * (text.count("\n") + 1)
    elif name == "wordwrap":
        width, wrap = arg(0, "width", 79), arg(2, "wrapstring") or "\n"
        breaks = len(text) // max(1, int(width or 1)) + text.count("\n") + 1
        estimate += breaks * len(str(wrap))
    elif name in ("format", "format_map"):
        _check_braces(text, (args, kwargs))
    if estimate > _MAX_VALUE:
        raise _over("value")
    return args


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that checks the clock, its arguments and its result."""
    pass_arg = _PassArg.from_obj(func)

    def guarded(context: Any, *args: Any, **kwargs: Any) -> Any:
        _budget().tick()
        args_ = list(args)
        if args_:
            value = args_[0] = _check_value(args_[0])
            rest = args_[1:]
            _check_args(args_, kwargs)
            if name == "join":
                sep = str(rest[0] if rest else kwargs.get("d", ""))
                count = len(value) if hasattr(value, "__len__") else 0
                if _weight(value) + len(sep) * count > _MAX_VALUE:
                    raise _over("value")
            elif name == "format":
                _check_printf(str(value), kwargs or tuple(rest))
            elif name in ("replace", "indent", "wordwrap"):
                _check_text_call(name, value, rest, kwargs)
        if pass_arg is _PassArg.context:
            args_.insert(0, context)
        elif pass_arg is _PassArg.eval_context:
            args_.insert(0, context.eval_ctx)
        elif pass_arg is _PassArg.environment:
            args_.insert(0, context.environment)
        return _check_value(func(*args_, **kwargs))

    return _runtime_only(update_wrapper(guarded, func))


def _runtime_only(func: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a filter as needing the render context, so Jinja never runs it while compiling.

    Jinja folds filters on constants at compile time, outside any rendering's budget; a
    filter that asks for the context is always left for the rendering to run.
    """
    return pass_context(func)


def _guard_test(func: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _budget().tick()
        return func(*args, **kwargs)

    return update_wrapper(guarded, func)


# Filters the guards below add to every compiled script. Their names hold a space, so a
# script's own text can never name them.
_LOOP, _JOIN, _SIZE, _WRITE = "followup loop", "followup join", "followup size", "followup write"


@_runtime_only
def _loop(context: Any, iterable: Any) -> Iterator[Any]:
    budget = _budget()
    for item in iterable:
        budget.tick(1)
        yield item


@_runtime_only
def _join(context: Any, *parts: Any) -> str:
    """``a ~ b``: measured before the text is made."""
    _budget().tick()
    if sum(_weight(p) for p in parts) > _MAX_VALUE:
        raise _over("value")
    return "".join(map(str, parts))


@_runtime_only
def _size(context: Any, value: Any) -> Any:
    """A list, tuple or dict written in the script."""
    _budget().tick()
    return _check_value(value)


@_runtime_only
def _write(context: Any, value: Any) -> Any:
    """Every piece of output, literal text included, counts towards the output limit."""
    budget = _budget()
    budget.tick()
    budget.output += _weight(value, _MAX_OUTPUT)
    if budget.output > _MAX_OUTPUT:
        raise _over("output")
    return value


def _wrap_node(node: nodes.Expr, name: str, *args: nodes.Expr) -> nodes.Filter:
    return nodes.Filter(node, name, list(args), [], None, None, lineno=node.lineno)


class _Guards(NodeTransformer):
    """Route loops, ``~``, literal lists and every piece of output through the guards."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _wrap_node(node.iter, _LOOP)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _wrap_node(node.nodes[0], _JOIN, *node.nodes[1:])

    def visit_List(self, node: nodes.Node) -> nodes.Node:
        self.generic_visit(node)
        return _wrap_node(node, _SIZE)

    visit_Dict = visit_List

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        self.generic_visit(node)
        return _wrap_node(node, _SIZE) if node.ctx == "load" else node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [_wrap_node(child, _WRITE) for child in node.nodes]
        return node


# Methods a script may call on text: reading and tidying. Those that can multiply text
# in one call (expandtabs, translate ...) or turn it into other things are left out.
_TEXT_METHODS = frozenset(
    "capitalize casefold center count endswith find format index isalnum isalpha "
    "isdecimal isdigit islower isnumeric isspace istitle isupper join ljust lower lstrip "
    "partition removeprefix removesuffix replace rfind rindex rjust rpartition rsplit "
    "rstrip split splitlines startswith strip swapcase title upper zfill".split()
)


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with no globals, and limits on size, steps and time."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self, **kwargs: Any) -> None:
        # No compile-time folding: every operation then runs through the checks below.
        super().__init__(optimized=False, **kwargs)
        self.filters = {k: _guard_filter(k, f) for k, f in self.filters.items()}
        self.filters.update({_LOOP: _loop, _JOIN: _join, _SIZE: _size, _WRITE: _write})
        self.tests = {k: _guard_test(f) for k, f in self.tests.items()}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr not in _TEXT_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _budget().tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _budget().tick()
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _budget().tick(1)
        target = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped
        owner, name = getattr(target, "__self__", None), getattr(target, "__name__", "")
        if isinstance(owner, str):
            args = tuple(_check_text_call(name, owner, args, kwargs))
        _check_args((None, *args), kwargs)
        return _check_value(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        _budget().tick()
        if operator_ == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
                if (abs(left).bit_length() - 1) * right > _MAX_INT_BITS:
                    raise _over("number")
        elif operator_ == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int):
                    if _weight(seq) * max(count, 0) > _MAX_VALUE:
                        raise _over("value")
        elif operator_ == "+":
            if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
                if _weight(left) + _weight(right) > _MAX_VALUE:
                    raise _over("value")
        elif operator_ == "%" and isinstance(left, str):
            _check_printf(left, right)
        return _check_value(self.binop_table[operator_](left, right))


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
    "attr xmlattr map selectattr rejectattr groupby sort unique min max sum indent pprint "
    "tojson urlize".split()
)


def check_template(text: str) -> nodes.Template:
    """Parse a template and refuse anything beyond plain placeholders, ifs, loops and filters."""
    env = _env()
    if len(text) > _MAX_SOURCE:
        raise _over("source")
    try:
        tree = env.parse(text)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"line {exc.lineno}: {exc.message}") from None
    except (RecursionError, MemoryError):
        raise TemplateError("the script is nested too deeply to read.") from None
    except ValueError as exc:
        raise TemplateError(f"the script could not be read: {exc}") from None
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
    token = _BUDGET.set(None)
    try:
        template = _env().from_string(_Guards().visit(tree))  # bounded by the text's length
        _BUDGET.set(_Budget())
        rendered = template.render(ctx)
    except TemplateError:
        raise
    except (SecurityError, UndefinedError) as exc:
        raise TemplateError(f"the script tried something not allowed: {exc}") from None
    except TemplateNotFound as exc:
        raise TemplateError(f"a script cannot read other files ({exc}).") from None
    except OverflowError:
        raise _over("number") from None
    except RecursionError:
        raise TemplateError("the script calls itself too many times over.") from None
    except MemoryError:
        raise _over("value") from None
    except (
        TypeError,
        ValueError,
        ArithmeticError,
        AttributeError,
        KeyError,
        IndexError,
    ) as exc:
        raise TemplateError(f"the script could not be filled in: {exc}") from None
    finally:
        _BUDGET.reset(token)
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


# Titles people put before a name; "Dr Dana Lee" is greeted as Dana or Dr Lee.
_HONORIFICS = frozenset("dr mr mrs ms mx miss prof professor sir dame rev revd fr".split())
# Words that belong to a surname: "Ana de la Cruz" is Dr de la Cruz, not Dr Cruz.
_PARTICLES = frozenset("da das de del della der di dos du la le st van von ter ten bin al".split())


def _name_parts(full: str) -> tuple[str | None, list[str]]:
    """A name as (the title written in it, its words); "Lee, Dana" is Dana Lee."""
    text = " ".join(full.split())
    if text.count(",") == 1:
        surname, given = (part.strip() for part in text.split(","))
        if surname and given and " " not in surname:
            text = f"{given} {surname}"
    words = text.split()
    title = None
    if len(words) > 1 and words[0].rstrip(".").casefold() in _HONORIFICS:
        title, words = words[0], words[1:]
    return title, words


def _surname(words: list[str]) -> str:
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


def greeting_name(
    full_name: str | None, greet_as: str | None = None, honorific: str | None = None
) -> str | None:
    """How a greeting names a person: by first name, or by title and surname.

    Parameters
    ----------
    full_name
        The name as logged ("Dana Lee"; "Dr Dana Lee" and "Lee, Dana" are understood).
    greet_as
        ``"first_name"`` (default) or ``"title_surname"``.
    honorific
        The title for ``"title_surname"`` ("Dr", "Ms"); without one (and none written in
        the name) the full name is used, which is never wrong.

    Examples
    --------
    >>> greeting_name("Dana Lee"), greeting_name("Dana Lee", "title_surname", "Dr")
    ('Dana', 'Dr Lee')
    >>> greeting_name("Ana de la Cruz", "title_surname", "Ms")
    'Ms de la Cruz'
    """
    if is_blank(full_name):
        return None
    written, words = _name_parts(str(full_name))
    if not words:
        return None
    title = None if is_blank(honorific) else str(honorific).strip()
    title = title or written
    if greet_as == "title_surname":
        return f"{title} {_surname(words)}" if title else " ".join(words)
    if len(words) == 1 and written:  # "Dr Lee": the first name is not known
        return f"{written} {words[0]}"
    return words[0]


def _text(value: Any) -> str | None:
    """A stored value as text, or None when it is missing."""
    return None if is_blank(value) else str(value).strip()


def _pick_interviewer(
    people: pd.DataFrame, interviewer_id: int | None, name: str | None
) -> Mapping[str, Any] | None:
    """The interviewer a message is to: by id, by name, else the first one logged."""
    if interviewer_id is not None:
        row = people.loc[people["id"] == interviewer_id]
        if row.empty:
            raise NotFoundError("interviewers", interviewer_id)
        return row.iloc[0].to_dict()
    if name is not None:
        key = " ".join(name.split()).casefold()
        same = people.loc[[" ".join(str(n).split()).casefold() == key for n in people["name"]]]
        return same.iloc[0].to_dict() if not same.empty else {"name": name}
    return None if people.empty else people.sort_values("id").iloc[0].to_dict()


def context_for(
    wb: Any,
    interview_id: int,
    *,
    interviewer_id: int | None = None,
    interviewer: str | None = None,
    specific_point: str | None = None,
    greeting: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Placeholder values for one logged interview, from everything stored about it.

    Parameters
    ----------
    wb
        An open Workbook.
    interview_id
        The interview the follow-up is about.
    interviewer_id
        Whom the message is to (an interviewer logged for this interview); defaults to
        the first interviewer logged for it.
    interviewer
        Whom the message is to, by name (a stored interviewer of that name gives their
        email and greeting; another name is used as given).
    specific_point
        One thing from the conversation, typed by the client.
    greeting
        ``"first_name"`` or ``"title_surname"`` for every interviewer; by default each
        interviewer's own record says, else the coach's ``greeting`` setting.
    **extra
        Any further placeholder values (``new_point``, ``offer_deadline`` ...); they win
        over the stored ones.

    Returns
    -------
    dict
        ``interviewer`` is the name a greeting uses ("Dana", or "Dr Lee");
        ``interviewer_full_name``, ``interviewer_title`` and ``interviewer_email`` the
        rest of their record. ``client_name``, ``client_first_name``, ``client_phone``;
        ``hr_contact`` and ``recruiter`` (the HR or recruiter contact's name), with
        ``hr_email``/``hr_phone`` and ``recruiter_email``/``recruiter_phone``;
        ``posting_link``; ``company``, ``role``, ``round``, ``interview_date`` ("Tuesday
        4 March"), ``interview_day``, ``decision_date``, ``specific_point``, and the
        extras. Unknown values are None (they render as visible blanks).

    Examples
    --------
    >>> import followup_kit as fk
    >>> wb = fk.open_workbook(":memory:", today="2025-03-20")
    >>> cid = wb.add_client("Alex Rivera", phone="+1 555 010 0199")
    >>> iid = wb.log_interview(cid, "Acme", "Analyst", "2025-03-04", interviewers=["Dana Lee"])
    >>> ctx = context_for(wb, iid)
    >>> ctx["interviewer"], ctx["interviewer_full_name"], ctx["client_phone"]
    ('Dana', 'Dana Lee', '+1 555 010 0199')
    """
    interviews = wb.interviews()
    row = interviews.loc[interviews["id"] == interview_id]
    if row.empty:
        raise NotFoundError("interviews", interview_id)
    iv = row.iloc[0]
    client_id = int(iv["client_id"])
    clients = wb.clients()
    crow = clients.loc[clients["id"] == client_id]
    client = {} if crow.empty else crow.iloc[0].to_dict()
    name = _text(client.get("name"))
    people = wb.interviewers(client_id)
    people = people.loc[people["interview_id"] == interview_id]
    person = _pick_interviewer(people, interviewer_id, interviewer) or {}
    greet_as = greeting or _text(person.get("greet_as")) or _coach_greeting(wb)
    full = _text(person.get("name"))
    hr_name, hr_email, hr_phone = (_text(iv.get(k)) for k in ("hr_name", "hr_email", "hr_phone"))
    day = iv["interview_date"]
    out = {
        "client_name": name,
        "client_first_name": name.split()[0] if name else None,
        "client_phone": _text(client.get("phone")),
        "interviewer": greeting_name(full, greet_as, _text(person.get("honorific"))),
        "interviewer_full_name": full,
        "interviewer_title": _text(person.get("title")),
        "interviewer_email": _text(person.get("email")),
        "hr_contact": hr_name,
        "hr_email": hr_email,
        "hr_phone": hr_phone,
        "recruiter": hr_name,
        "recruiter_email": hr_email,
        "recruiter_phone": hr_phone,
        "posting_link": _text(iv.get("posting_link")),
        "company": _text(iv["company"]),
        "role": _text(iv["role"]),
        "round": None if is_blank(iv["round"]) else CHOICES["round"].get(str(iv["round"])),
        "interview_date": _date_words(day),
        "interview_day": None if is_blank(day) else f"{pd.Timestamp(day):%A}",
        "decision_date": _date_words(iv.get("decision_expected")),
        "specific_point": specific_point or None,
    }
    out.update(extra)
    return out


def _coach_greeting(wb: Any) -> str:
    """The coach's greeting setting (first name unless their rules.toml says otherwise)."""
    return getattr(getattr(wb, "rules", None), "greeting", None) or "first_name"
