"""The tone check: find desperate, pushy, hostile or self-deprecating wording in a message."""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .exceptions import TonePatternError

if TYPE_CHECKING:  # the model module loads on the first check, not on import
    from .tone_model import ToneModel

__all__ = [
    "TONE_CATEGORIES",
    "Finding",
    "TonePattern",
    "TonePatterns",
    "check_tone",
    "highlight_findings",
    "load_tone_patterns",
    "tone_scores",
    "tone_table",
]

#: The kinds of wording the check looks for, with the words shown to people.
TONE_CATEGORIES: dict[str, str] = {
    "desperate": "Sounds desperate",
    "pushy": "Sounds pushy or entitled",
    "hostile": "Sounds hostile or bitter",
    "self_deprecating": "Puts yourself down",
}

_BUILTIN = Path(__file__).with_name("tone_patterns.toml")
_FRAGMENT = re.compile(r"\{([A-Za-z_][A-Za-z_0-9]*)\}")
_NEGATION = re.compile(r"\b(?:not|no|never|without|nor|hardly)\b|n't\b", re.I)
_CLAUSE_END = re.compile(r"[.;:!?,\n]|\b(?:but|and|so|because)\b", re.I)
# A sentence ends at . ! ? or a blank line (a single line break is only wrapping); the model
# scores one sentence at a time so that its finding points at one stretch of the message.
_SENTENCE = re.compile(r"(?:[^.!?\n]|\n(?![ \t]*\n))+(?:[.!?]+|$)", re.M)
#: Longest run of words a model finding highlights.
_MAX_WINDOW = 6
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]*\]")
_WORD = re.compile(r"\w\w+")
#: Sentences shorter than this are left to the patterns.
_MIN_WORDS = 4
#: The flagged words must carry at least this much weight (in the model's log-odds) towards
#: the category, so a sentence flagged only by the model's prior is left alone. Chosen by
#: grouped cross-validation on the corpus (benchmarks/tone.py): 2.5 dropped more than half
#: the model's correct flags; 0.5 keeps them with fine sentences flagged under 10%.
_MIN_EVIDENCE = 0.5
_PATTERN_KEYS = {
    "id",
    "category",
    "regex",
    "why",
    "suggestion",
    "min_follow_up",
    "max_follow_up",
    "negatable",
    "not_after",
}


@dataclass(frozen=True)
class Finding:
    """One piece of wording the tone check flagged.

    ``start``/``end`` are character offsets into the text that was checked, so
    ``text[start:end] == words``.
    """

    category: str
    words: str
    start: int
    end: int
    why: str
    suggestion: str
    pattern: str = ""

    @property
    def label(self) -> str:
        """The category in plain words."""
        return TONE_CATEGORIES.get(self.category, self.category)


@dataclass(frozen=True)
class TonePattern:
    """One rule: a compiled regex, its category, and the advice shown when it matches."""

    id: str
    category: str
    regex: re.Pattern[str]
    why: str
    suggestion: str
    min_follow_up: int = 1
    max_follow_up: int | None = None
    negatable: bool = False
    not_after: re.Pattern[str] | None = None


@dataclass(frozen=True)
class TonePatterns:
    """The rules in force and the recommended phrases that are never flagged."""

    patterns: tuple[TonePattern, ...]
    allow: tuple[tuple[str, re.Pattern[str]], ...]
    sources: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.patterns)


def _compile(source: str, fragments: Mapping[str, str], path: Path, where: str) -> re.Pattern:
    def expand(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in fragments:
            raise TonePatternError(
                path, where, f"unknown fragment {{{name}}}; known: {sorted(fragments)}."
            )
        return f"(?:{fragments[name]})"

    text = source
    for _ in range(5):  # fragments may use other fragments
        text = _FRAGMENT.sub(expand, text)
    # Apostrophes optional and curly-or-straight; a space is any run of whitespace.
    text = text.replace("'", "['\u2019]?").replace(" ", r"\s+")
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise TonePatternError(path, where, f"the regex does not compile ({exc}).") from None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TonePatternError(path, "file", "no such file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TonePatternError(path, "file", f"could not be read ({exc}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise TonePatternError(path, "file", f"not valid TOML ({exc}).") from None


def _parse(
    data: Mapping[str, Any], path: Path, fragments: dict[str, str]
) -> tuple[list[TonePattern], list[tuple[str, re.Pattern[str]]]]:
    extra = data.get("fragments", {})
    if not isinstance(extra, dict) or not all(isinstance(v, str) for v in extra.values()):
        raise TonePatternError(path, "[fragments]", "should map names to regex text.")
    fragments.update(extra)
    patterns = []
    raw = data.get("pattern", [])
    if not isinstance(raw, list):
        raise TonePatternError(path, "[[pattern]]", "use [[pattern]] tables.")
    for i, entry in enumerate(raw, 1):
        where = f"pattern #{i}"
        if not isinstance(entry, dict):
            raise TonePatternError(path, where, "should be a table.")
        where = f"pattern {entry.get('id', f'#{i}')!r}"
        unknown = sorted(set(entry) - _PATTERN_KEYS)
        if unknown:
            raise TonePatternError(
                path, f"{where} {unknown[0]}", f"unknown key; use {sorted(_PATTERN_KEYS)}."
            )
        for key in ("id", "category", "regex", "why", "suggestion"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise TonePatternError(path, f"{where} {key}", "missing or empty; it must be text.")
        if entry["category"] not in TONE_CATEGORIES:
            raise TonePatternError(
                path,
                f"{where} category",
                f"got {entry['category']!r}; use one of {list(TONE_CATEGORIES)}.",
            )
        lo, hi = entry.get("min_follow_up", 1), entry.get("max_follow_up")
        if isinstance(lo, bool) or not isinstance(lo, int) or lo < 1:
            raise TonePatternError(
                path, f"{where} min_follow_up", f"got {lo!r}; want a whole number >= 1."
            )
        if hi is not None and (isinstance(hi, bool) or not isinstance(hi, int) or hi < lo):
            raise TonePatternError(
                path, f"{where} max_follow_up", f"got {hi!r}; want a number >= min_follow_up."
            )
        negatable = entry.get("negatable", False)
        if not isinstance(negatable, bool):
            raise TonePatternError(path, f"{where} negatable", "should be true or false.")
        not_after = entry.get("not_after")
        if not_after is not None and not isinstance(not_after, str):
            raise TonePatternError(path, f"{where} not_after", "should be regex text.")
        patterns.append(
            TonePattern(
                id=entry["id"],
                category=entry["category"],
                regex=_compile(entry["regex"], fragments, path, f"{where} regex"),
                why=entry["why"].strip(),
                suggestion=entry["suggestion"].strip(),
                min_follow_up=lo,
                max_follow_up=hi,
                negatable=negatable,
                not_after=None
                if not_after is None
                else _compile(f"(?:{not_after})\\Z", fragments, path, f"{where} not_after"),
            )
        )
    allows = []
    for i, entry in enumerate(data.get("allow", []), 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("regex"), str):
            raise TonePatternError(path, f"allow #{i}", 'needs regex = "...".')
        name = str(entry.get("id", f"allow #{i}"))
        allows.append((name, _compile(entry["regex"], fragments, path, f"allow {name!r} regex")))
    return patterns, allows


@cache
def _builtin() -> tuple[dict[str, str], tuple[TonePattern, ...], tuple]:
    fragments: dict[str, str] = {}
    patterns, allows = _parse(_read(_BUILTIN), _BUILTIN, fragments)
    return fragments, tuple(patterns), tuple(allows)


@cache
def _model_advice() -> dict[str, tuple[str, str]]:
    advice = _read(_BUILTIN).get("model_advice", {})
    return {c: (advice[c]["why"].strip(), advice[c]["suggestion"].strip()) for c in advice}


def load_tone_patterns(extra_path: Any = None) -> TonePatterns:
    """The built-in tone patterns plus a coach's file.

    Parameters
    ----------
    extra_path
        A TOML file of the same shape as the built-in ``tone_patterns.toml`` (or a
        Workbook, meaning ``wb.data_dir / "tone_patterns.toml"`` when it exists). Its
        patterns are added; one with an existing id replaces the built-in one.

    Raises
    ------
    TonePatternError
        The coach's file is malformed; the message names the file, entry and field.
    """
    fragments, patterns, allows = _builtin()
    if extra_path is None:
        return TonePatterns(patterns, allows, (str(_BUILTIN),))
    if hasattr(extra_path, "data_dir"):
        path = Path(extra_path.data_dir) / "tone_patterns.toml"
        if not path.exists():
            return TonePatterns(patterns, allows, (str(_BUILTIN),))
    else:
        path = Path(extra_path)
    more, more_allows = _parse(_read(path), path, dict(fragments))
    by_id = {p.id: p for p in patterns}
    by_id.update({p.id: p for p in more})
    return TonePatterns(tuple(by_id.values()), (*allows, *more_allows), (str(_BUILTIN), str(path)))


def _negated(text: str, start: int) -> bool:
    """Whether a negation word sits within three words before ``start``, in the same clause."""
    before = text[max(0, start - 60) : start]
    ends = [m.end() for m in _CLAUSE_END.finditer(before)]
    if ends:
        before = before[ends[-1] :]
    words = before.split()[-3:]
    return any(_NEGATION.search(w) for w in words)


def check_tone(
    text: str,
    *,
    follow_up_number: int = 1,
    patterns: TonePatterns | None = None,
    model: ToneModel | bool | None = None,
) -> list[Finding]:
    """Find wording that may hurt a follow-up message.

    Parameters
    ----------
    text
        The message (any length; the positions in the findings refer to it).
    follow_up_number
        Which follow-up this is (1 = the first after the thank-you). Some phrases, such
        as "just checking in", are fine the first time and nagging after that.
    patterns
        Rules to use; defaults to :func:`load_tone_patterns` ().
    model
        The learned model that reads each sentence no pattern explains; defaults to
        :func:`load_tone_model` () (a coach's retrained model when there is one). ``False``
        checks with the patterns alone.

    Returns
    -------
    list of Finding
        Sorted by position. Wording that overlaps a phrase advisers recommend (such as
        "I know hiring takes time") is never flagged. A pattern's finding names the rule
        (``pattern``); a model's finding has ``pattern == "model"``, marks the run of
        words that weighed most, and gives a plain reason naming them.

    Examples
    --------
    >>> [f.category for f in check_tone("Your loss. I know hiring takes time.")]
    ['hostile']
    >>> check_tone("Just checking in.", follow_up_number=1)
    []
    >>> check_tone("Just checking in.", follow_up_number=2)[0].category
    'pushy'
    """
    if not text:
        return []
    rules = patterns if patterns is not None else load_tone_patterns()
    allowed = [m.span() for _, rx in rules.allow for m in rx.finditer(text)]
    found: list[Finding] = []
    cleared: list[tuple[int, int]] = []
    for p in rules.patterns:
        if follow_up_number < p.min_follow_up:
            continue
        if p.max_follow_up is not None and follow_up_number > p.max_follow_up:
            continue
        for m in p.regex.finditer(text):
            start, end = m.span()
            if start == end:
                continue
            if (
                any(a < end and start < b for a, b in allowed)
                or (p.negatable and _negated(text, start))
                or (
                    p.not_after is not None and p.not_after.search(text[max(0, start - 80) : start])
                )
            ):
                # A rule saw this wording and judged it fine here ("I don't need an answer
                # right away"): the model must not overrule it.
                cleared.append((start, end))
                continue
            found.append(Finding(p.category, m.group(0), start, end, p.why, p.suggestion, p.id))
    if model is not False:
        if model is None or model is True:
            from .tone_model import load_tone_model

            model = load_tone_model()
        found.extend(_model_findings(text, found, cleared, allowed, model))
    return _dedupe(found)


def _model_findings(
    text: str,
    explained: list[Finding],
    cleared: list[tuple[int, int]],
    allowed: list[tuple[int, int]],
    model: ToneModel,
) -> list[Finding]:
    """Findings for the sentences the model flags and no pattern has judged already."""
    judged = [(f.start, f.end) for f in explained] + cleared
    # A script's [placeholders] are not the client's words: blank them (same length, so
    # positions hold) before the model reads the text.
    masked = _PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    spans = [
        m.span()
        for m in _SENTENCE.finditer(masked)
        # Greetings, sign-offs and fragments give the model too little to go on.
        if len(_WORD.findall(m.group(0))) >= _MIN_WORDS
        and not any(a < m.end() and m.start() < b for a, b in judged)
    ]
    if not spans:
        return []
    harm, cats = model.harm([masked[a:b] for a, b in spans])
    advice = _model_advice()
    out = []
    for (a, b), h, cat in zip(spans, harm, cats, strict=True):
        if h < model.threshold:
            continue
        words = [
            (a + s, a + e, w)
            for s, e, w in model.word_weights(masked[a:b], str(cat))
            # a phrase advisers recommend never counts against the sentence
            if not any(x < a + e and a + s < y for x, y in allowed)
        ]
        window = _heaviest_run(text, words)
        if window is None or window[3] < _MIN_EVIDENCE:
            continue
        start, end, top, _ = window
        quoted = ", ".join(f"\u201c{w}\u201d" for w in top)
        why, suggestion = advice[str(cat)]
        out.append(
            Finding(
                str(cat), text[start:end], start, end, why.format(words=quoted), suggestion, "model"
            )
        )
    return out


_EDGE = re.compile(r"^\W+|\W+$")


def _heaviest_run(
    text: str, words: list[tuple[int, int, float]]
) -> tuple[int, int, list[str], float] | None:
    """The run of at most ``_MAX_WINDOW`` adjacent words with the largest total weight.

    Returns its start and end (outer punctuation trimmed), its three heaviest words and its
    total weight, or
    ``None`` when no word pushed the sentence towards the category.
    """
    best, best_span = 0.0, None
    for i in range(len(words)):
        if words[i][2] <= 0:
            continue
        total = 0.0
        for j in range(i, min(i + _MAX_WINDOW, len(words))):
            total += words[j][2]
            if total > best and words[j][2] > 0:
                best, best_span = total, (i, j)
    if best_span is None:
        return None
    run = words[best_span[0] : best_span[1] + 1]
    start, end = run[0][0], run[-1][1]
    lead = _EDGE.match(text[start:end])
    start += lead.end() if lead and lead.start() == 0 else 0
    tail = re.search(r"\W+$", text[start:end])
    end -= len(tail.group(0)) if tail and tail.start() > 0 else 0
    heaviest = sorted((w for w in run if w[2] > 0), key=lambda w: -w[2])[:3]
    top = [_EDGE.sub("", text[a:b]) or text[a:b] for a, b, _ in sorted(heaviest)]
    return start, end, top, best


def _dedupe(found: Iterable[Finding]) -> list[Finding]:
    """Drop a finding that sits inside a longer one of the same category."""
    ordered = sorted(found, key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for f in ordered:
        if any(k.category == f.category and k.start <= f.start and f.end <= k.end for k in kept):
            continue
        kept.append(f)
    return kept


def highlight_findings(text: str, findings: Iterable[Finding]) -> str:
    """The text as safe HTML, with each flagged stretch wrapped in ``<mark>``.

    Every character of ``text`` is escaped; overlapping findings are merged into one
    mark whose ``title`` lists their categories.

    Examples
    --------
    >>> marked = highlight_findings("<b>Your loss</b>", check_tone("<b>Your loss</b>"))
    >>> marked.startswith('&lt;b&gt;<mark class="tone-hostile"'), marked.endswith("&lt;/b&gt;")
    (True, True)
    """
    spans: list[list[Any]] = []
    for f in sorted(findings, key=lambda f: f.start):
        if spans and f.start < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], f.end)
            if f.category not in spans[-1][2]:
                spans[-1][2].append(f.category)
        else:
            spans.append([f.start, f.end, [f.category]])
    out, pos = [], 0
    for start, end, cats in spans:
        out.append(html.escape(text[pos:start]))
        title = html.escape("; ".join(TONE_CATEGORIES.get(c, c) for c in cats))
        css = html.escape(" ".join(f"tone-{c}" for c in cats))
        out.append(f'<mark class="{css}" title="{title}">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def tone_table(
    text: str, *, follow_up_number: int = 1, patterns: TonePatterns | None = None
) -> pd.DataFrame:
    """The findings for ``text`` as a table for people: words, problem, why, try instead.

    Examples
    --------
    >>> tone_table("Your loss.")["words"].tolist()
    ['Your loss']
    """
    found = check_tone(text, follow_up_number=follow_up_number, patterns=patterns)
    return pd.DataFrame(
        [
            {"words": f.words, "problem": f.label, "why": f.why, "try instead": f.suggestion}
            for f in found
        ],
        columns=["words", "problem", "why", "try instead"],
    )


def tone_scores(phrases: pd.DataFrame, *, patterns: TonePatterns | None = None) -> pd.DataFrame:
    """Precision and recall of the tone check on labelled phrases, per category.

    Parameters
    ----------
    phrases
        Columns ``text``, ``label`` (a category or ``"fine"``) and optionally
        ``follow_up`` (default 1).
    patterns
        Rules to score (default: the built-in ones).

    Returns
    -------
    DataFrame
        One row per category plus ``all harmful`` and ``fine``: n (phrases with that
        label), flagged (phrases the check put in that category), hits (both),
        precision, recall. For ``fine``, ``flagged`` counts fine phrases flagged with any
        category and ``false_alarm_rate`` is flagged / n.
    """
    follow = phrases["follow_up"] if "follow_up" in phrases else pd.Series(1, index=phrases.index)
    cats = [
        {f.category for f in check_tone(str(t), follow_up_number=int(n), patterns=patterns)}
        for t, n in zip(phrases["text"], follow, strict=True)
    ]
    labels = phrases["label"].astype(str).tolist()
    rows = []
    for c in TONE_CATEGORIES:
        n = sum(lab == c for lab in labels)
        flagged = sum(c in got for got in cats)
        hits = sum(lab == c and c in got for lab, got in zip(labels, cats, strict=True))
        rows.append(
            {
                "category": c,
                "n": n,
                "flagged": flagged,
                "hits": hits,
                "precision": hits / flagged if flagged else float("nan"),
                "recall": hits / n if n else float("nan"),
            }
        )
    harmful = [(lab, got) for lab, got in zip(labels, cats, strict=True) if lab != "fine"]
    n_h = len(harmful)
    hits_h = sum(lab in got for lab, got in harmful)
    any_flag = sum(bool(got) for got in cats)
    right = sum(bool(got) and lab != "fine" for lab, got in zip(labels, cats, strict=True))
    rows.append(
        {
            "category": "all harmful",
            "n": n_h,
            "flagged": any_flag,
            "hits": hits_h,
            "precision": right / any_flag if any_flag else float("nan"),
            "recall": hits_h / n_h if n_h else float("nan"),
        }
    )
    fine = [got for lab, got in zip(labels, cats, strict=True) if lab == "fine"]
    n_f, flagged_f = len(fine), sum(bool(got) for got in fine)
    rows.append(
        {
            "category": "fine",
            "n": n_f,
            "flagged": flagged_f,
            "hits": n_f - flagged_f,
            "precision": float("nan"),
            "recall": float("nan"),
            "false_alarm_rate": flagged_f / n_f if n_f else float("nan"),
        }
    )
    return pd.DataFrame(rows).set_index("category")
