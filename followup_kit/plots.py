"""Charts: reply rates, time to reply, the funnel, a client's timeline, a follow-up plan.

Every function takes a table from :mod:`followup_kit.analytics` and an optional ``ax``,
draws only on that Axes and returns it. Colours come from the Okabe-Ito palette, which
people with the common kinds of colour blindness can tell apart. Every bar carries its
n, and rates carry 95% Wilson intervals as error bars.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .formatting import group_label
from .plans import STATE_WORDS, step_words
from .schema import as_date, choice_label, format_day
from .timeline import STATE_COLOURS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "OKABE_ITO",
    "chart_png",
    "plot_response_rates",
    "plot_thank_you_timing",
    "plot_status_check_timing",
    "plot_by_channel",
    "plot_by_script",
    "plot_time_to_response",
    "plot_funnel",
    "plot_client_timeline",
    "plot_rule_evidence",
    "plot_adjusted",
    "plot_plan",
    "save_figure",
]

#: Okabe & Ito's colour-blind-safe palette, by name.
OKABE_ITO: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
_CYCLE = [
    OKABE_ITO[k]
    for k in ("blue", "orange", "bluish green", "vermillion", "reddish purple", "sky blue", "black")
]
_TOO_FEW = "too few to show"


def _plain(text: Any) -> str:
    """Text exactly as typed: never read as matplotlib mathtext.

    matplotlib reads anything between two ``$`` as math, so a company "R&D $#1$" or an
    interviewer "Dana $\\foo$" raises while drawing and "Price $5 and $6" is drawn as
    math. Escaping every ``$`` as ``\\$`` is the one way that holds for every kind of text
    we draw: tick labels (which matplotlib re-creates at draw time, so a per-artist
    ``parse_math=False`` set after drawing does not stick), legend entries, titles and
    annotations. With no unescaped ``$`` left, matplotlib draws the text plainly and
    shows each ``\\$`` as ``$``. Every user-supplied string goes through here on its way
    to a chart.
    """
    return str(text).replace("$", r"\$")


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def _window(table: pd.DataFrame, default: int = 30) -> int:
    return int(table.attrs.get("window_days", default) or default)


def plot_response_rates(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    horizontal: bool = False,
    color: str = OKABE_ITO["blue"],
    note: str | None = None,
) -> Axes:
    """Bars of the reply rate per group, with 95% Wilson error bars and n on every bar.

    Parameters
    ----------
    table
        From :func:`~followup_kit.analytics.response_rates` or
        :func:`~followup_kit.workshop.workshop_table` (its hidden groups are written as
        "too few to show" and not drawn).
    horizontal
        Bars across (better for long labels such as script names).
    note
        A line of small print under the chart (a caveat).

    Returns
    -------
    Axes
        Bars are ``ax.patches`` (height = rate in percent); n labels are ``ax.texts``.
    """
    ax = _axes(ax)
    by = table.attrs.get("by", "")
    labels = [_plain(group_label(by, g)) for g in table.index]
    if horizontal:
        labels = [_wrap(label, 30) for label in labels]
    pos = np.arange(len(labels))
    rate = table["rate"].to_numpy(dtype=float) * 100
    lo = table["ci_low"].to_numpy(dtype=float) * 100
    hi = table["ci_high"].to_numpy(dtype=float) * 100
    shown = table["shown"].to_numpy(dtype=bool) if "shown" in table else np.ones(len(pos), bool)
    too_few = (
        table["too_few"].to_numpy(dtype=bool) if "too_few" in table else np.zeros(len(pos), bool)
    )
    n = table["n"].to_numpy(dtype=float, na_value=np.nan)
    drawn = shown & ~np.isnan(rate)
    bar = ax.barh if horizontal else ax.bar
    for i in np.flatnonzero(drawn):
        faint = bool(too_few[i])
        bar(
            pos[i],
            rate[i],
            color=color,
            alpha=0.35 if faint else 1.0,
            hatch="//" if faint else None,
            edgecolor=color,
            label="_nolegend_",
        )
    if drawn.any():
        # Wilson bounds of 0% or 100% can miss the rate by a rounding error (1e-17), and
        # matplotlib refuses a negative error bar.
        err = np.clip(np.vstack([rate - lo, hi - rate])[:, drawn], 0, None)
        kw = {"xerr" if horizontal else "yerr": err}
        x, y = (rate[drawn], pos[drawn]) if horizontal else (pos[drawn], rate[drawn])
        ax.errorbar(x, y, fmt="none", ecolor=OKABE_ITO["black"], capsize=4, lw=1.2, **kw)
    for i in pos:
        if not shown[i]:
            text, at = _TOO_FEW, 2.0
        elif np.isnan(rate[i]):
            text, at = f"n={int(n[i]) if not np.isnan(n[i]) else 0}", 2.0
        else:
            text = f"n={int(n[i])}" + (" (few)" if too_few[i] else "")
            at = (hi[i] if not np.isnan(hi[i]) else rate[i]) + 2
        if horizontal:
            ax.text(at, i, text, va="center", ha="left", fontsize="small")
        else:
            ax.text(i, at, text, ha="center", va="bottom", fontsize="small")
    window = _window(table)
    value_label = f"Got a reply within {window} days (%)"
    if horizontal:
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 110)
        ax.set_xlabel(value_label)
        ax.set_ylabel(_plain(xlabel or ""))
    else:
        ax.set_xticks(pos, labels)
        ax.set_ylim(0, 110)
        ax.set_ylabel(value_label)
        ax.set_xlabel(_plain(xlabel or ""))
    ax.set_title(_plain(title or "Share of interviews that got a reply"))
    ax.spines[["top", "right"]].set_visible(False)
    if note:
        # Under the axis label, wherever the font size puts it (not at a fixed offset,
        # which a projector's larger font pushed onto the label).
        ax.annotate(
            _plain(_wrap(note, 90)),
            xy=(0, 0),
            xycoords=("axes fraction", ax.xaxis.label),
            xytext=(0, -4),
            textcoords="offset points",
            fontsize="x-small",
            color="#444444",
            va="top",
        )
    return ax


def plot_thank_you_timing(table: pd.DataFrame, *, ax: Axes | None = None, **kw: Any) -> Axes:
    """Reply rate by how soon the thank-you went out (``response_rates(f, "thank_you_timing")``)."""
    kw.setdefault("title", "Replies by how soon the thank-you note went out")
    kw.setdefault("xlabel", "Thank-you sent after the interview")
    return plot_response_rates(table, ax=ax, **kw)


def plot_status_check_timing(table: pd.DataFrame, *, ax: Axes | None = None, **kw: Any) -> Axes:
    """Reply rate by when the first status check went out."""
    kw.setdefault("title", "Replies by when the first status check went out")
    kw.setdefault("xlabel", "First status check sent after the interview")
    kw.setdefault(
        "note",
        '"No status check" includes interviews answered before a check was due; '
        "see the evidence beside each rule for a fair comparison.",
    )
    kw.setdefault("color", OKABE_ITO["bluish green"])
    return plot_response_rates(table, ax=ax, **kw)


def plot_by_channel(table: pd.DataFrame, *, ax: Axes | None = None, **kw: Any) -> Axes:
    """Reply rate by how the thank-you was sent (``response_rates(f, "thank_you_channel")``)."""
    kw.setdefault("title", "Replies by how the thank-you note was sent")
    kw.setdefault("xlabel", "Thank-you sent by")
    kw.setdefault("color", OKABE_ITO["orange"])
    return plot_response_rates(table, ax=ax, **kw)


def plot_by_script(table: pd.DataFrame, *, ax: Axes | None = None, **kw: Any) -> Axes:
    """Reply rate by script used before the reply (``response_rates(f, "script_id")``)."""
    kw.setdefault("title", "Replies by the script used")
    kw.setdefault("xlabel", "")
    kw.setdefault("horizontal", True)
    kw.setdefault("color", OKABE_ITO["reddish purple"])
    kw.setdefault(
        "note",
        "Later scripts (such as a second follow-up) go out only when no reply has come, "
        "so their rates start lower: compare scripts used at the same step.",
    )
    return plot_response_rates(table, ax=ax, **kw)


def plot_time_to_response(
    curves: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    max_days: int | None = 60,
) -> Axes:
    """Kaplan-Meier curves: share of interviews with a reply by each day after it.

    Parameters
    ----------
    curves
        From :func:`~followup_kit.analytics.response_curves` (or ``workshop_curves``).
    max_days
        Cut the x axis here (replies after two months are rare and the tail is noisy).

    Returns
    -------
    Axes
        One step line per group (``ax.lines``), labelled "group (n=...)", with its 95%
        pointwise interval shaded.
    """
    ax = _axes(ax)
    groups = list(dict.fromkeys(curves["group"])) if len(curves) else []
    for i, group in enumerate(groups):
        c = curves[curves["group"] == group]
        if max_days is not None:
            c = c[c["days"] <= max_days]
        days = c["days"].to_numpy(dtype=float)
        if max_days is not None and len(days) and days[-1] < max_days:
            c = pd.concat([c, c.iloc[[-1]].assign(days=max_days)])  # carry the last level
            days = c["days"].to_numpy(dtype=float)
        colour = _CYCLE[i % len(_CYCLE)]
        n = int(c["n"].iloc[0])
        label = _plain(f"{group} (n={n})")
        ax.step(days, c["replied"] * 100, where="post", color=colour, lw=2, label=label)
        ax.fill_between(
            days, c["ci_low"] * 100, c["ci_high"] * 100, step="post", color=colour, alpha=0.15, lw=0
        )
    if not groups:
        ax.text(0.5, 0.5, "No interviews to show", ha="center", va="center", transform=ax.transAxes)
    ax.set_ylim(0, 100)
    ax.set_xlim(0, max_days if max_days is not None else None)
    ax.set_xlabel("Days since the interview")
    ax.set_ylabel("Interviews with a reply (%)")
    ax.set_title(
        _plain(title or "How soon replies came (interviews still waiting are counted fairly)")
    )
    if groups:
        ax.legend(frameon=False, fontsize="small", loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_funnel(table: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """The funnel: interviews, thank-you sent, status check sent, reply, next round or offer.

    ``table`` comes from :func:`~followup_kit.analytics.funnel` (or ``workshop_funnel``).
    Bars are drawn top to bottom; each is labelled with its count and share.
    """
    ax = _axes(ax)
    stages = [_plain(s) for s in table.index]
    counts = table["count"].to_numpy(dtype=float, na_value=np.nan)
    share = table["share"].to_numpy(dtype=float)
    pos = np.arange(len(stages))
    hidden = "shown" in table and not bool(table["shown"].all())
    colours = [_CYCLE[i % len(_CYCLE)] for i in pos]
    if hidden or np.isnan(counts).all():
        ax.text(
            0.5, 0.5, _TOO_FEW, ha="center", va="center", transform=ax.transAxes, fontsize="large"
        )
    else:
        ax.barh(pos, counts, color=colours)
        top = max(counts.max(), 1)
        for i in pos:
            pct = "" if np.isnan(share[i]) else f" ({share[i]:.0%})"
            ax.text(
                counts[i] + top * 0.01, i, f"{int(counts[i])}{pct}", va="center", fontsize="small"
            )
        ax.set_xlim(0, top * 1.25)
    ax.set_yticks(pos, stages)
    ax.invert_yaxis()
    ax.set_xlabel("Interviews (reply window closed)")
    ax.set_title(_plain(title or "From interview to offer"))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


_MARKERS = {
    "interview": ("s", OKABE_ITO["black"], "Interview"),
    "thank_you": ("o", OKABE_ITO["orange"], "Thank-you note"),
    "status_check": ("^", OKABE_ITO["blue"], "Status check"),
    "feedback_request": ("D", OKABE_ITO["reddish purple"], "Feedback request"),
    "reconnect": ("v", OKABE_ITO["sky blue"], "Reconnect"),
    "other": ("P", OKABE_ITO["sky blue"], "Other message"),
    "reply": ("*", OKABE_ITO["bluish green"], "Reply"),
}


def plot_client_timeline(
    timeline: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    today: object = None,
) -> Axes:
    """One client's interviews as rows, with every message and reply marked on its date.

    ``timeline`` comes from :func:`~followup_kit.analytics.client_timeline`. Each
    interview gets a grey line from the interview to its last event; markers show the
    thank-you, status checks, feedback requests and replies (a legend names them).
    """
    ax = _axes(ax)
    if timeline.empty:
        ax.text(0.5, 0.5, "No interviews yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    order = list(dict.fromkeys(timeline["interview_id"]))
    row = {iid: i for i, iid in enumerate(order)}
    y = timeline["interview_id"].map(row).to_numpy()
    dates = pd.to_datetime(timeline["date"])
    span = timeline.groupby("interview_id", sort=False)["date"].agg(["min", "max"])
    for iid, (start, end) in span.iterrows():
        ax.plot([start, end], [row[iid], row[iid]], color="#BBBBBB", lw=2, zorder=1)
    for event, (marker, colour, label) in _MARKERS.items():
        sel = (timeline["event"] == event).to_numpy()
        if sel.any():
            ax.scatter(dates[sel], y[sel], marker=marker, color=colour, s=70, zorder=3, label=label)
    first = timeline.drop_duplicates("interview_id")
    names = [
        f"{c} ({choice_label('round', r).lower()})" if pd.notna(r) else str(c)
        for c, r in zip(first["company"], first["round"].astype(object), strict=True)
    ]
    ax.set_yticks(range(len(order)), [_plain(n) for n in names])
    ax.invert_yaxis()
    if today is not None:
        ax.axvline(pd.Timestamp(today), color=OKABE_ITO["vermillion"], ls="--", lw=1, label="Today")
    ax.set_xlabel("Date")
    ax.set_title(_plain(title or "Interviews, follow-ups and replies"))
    ax.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.spines[["top", "right"]].set_visible(False)
    # Rotate this Axes' dates only: Figure.autofmt_xdate would hide other charts' labels.
    import matplotlib.dates as mdates

    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.tick_params(axis="x", labelrotation=30)
    return ax


def plot_rule_evidence(
    table: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Each measured rule's difference in reply rate (followed minus not), with its interval.

    ``table`` comes from :func:`~followup_kit.evidence.rule_evidence`. Rules marked
    "not measured" are left out; rules with too little data are drawn faint and say so.
    """
    ax = _axes(ax)
    rows = table[table["verdict"] != "not measured"]
    pos = np.arange(len(rows))
    diff = rows["difference"].to_numpy(dtype=float) * 100
    lo = rows["diff_ci_low"].to_numpy(dtype=float) * 100
    hi = rows["diff_ci_high"].to_numpy(dtype=float) * 100
    for i, verdict in enumerate(rows["verdict"]):
        faint = verdict == "too little data" or np.isnan(diff[i])
        colour = OKABE_ITO["blue"] if not faint else "#999999"
        if not np.isnan(diff[i]):
            ax.errorbar(
                diff[i], i, xerr=[[diff[i] - lo[i]], [hi[i] - diff[i]]], fmt="o", color=colour,
                capsize=4, ms=8,
            )  # fmt: skip
    ax.axvline(0, color=OKABE_ITO["black"], lw=1)
    # Each rule's title with how many interviews stand behind each side, as the tick
    # label (inside the layout: nothing runs off the right edge).
    ticks = []
    for (_, r), verdict in zip(rows.iterrows(), rows["verdict"], strict=True):
        n = f"followed in {_n(r['n_followed'])}, not in {_n(r['n_not'])}"
        if verdict == "too little data":
            n += ": too little data"
        ticks.append(f"{_wrap(r['title'], 48)}\n{n}")
    ax.set_yticks(pos, [_plain(t) for t in ticks])
    ax.invert_yaxis()
    finite = np.concatenate([lo[~np.isnan(lo)], hi[~np.isnan(hi)], [-10, 10]])
    edge = float(np.max(np.abs(finite))) * 1.1
    ax.set_xlim(-edge, edge)
    ax.set_xlabel("Reply rate when the rule was followed minus when not\n(percentage points)")
    ax.set_title(_plain(title or "What your clients' data says about each timing rule"))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def plot_adjusted(result: Any, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """The raw and the adjusted difference side by side, each with its 95% interval.

    ``result`` comes from :func:`~followup_kit.adjusted.adjusted_compare`. The top dot is
    the difference as it came; the one below holds round, format and route equal.
    """
    ax = _axes(ax)
    raw = result.raw
    rows = [
        ("As it came", raw.difference, raw.ci_low, raw.ci_high, OKABE_ITO["orange"]),
        (
            "Holding round, format\nand route equal",
            result.difference, result.ci_low, result.ci_high, OKABE_ITO["blue"],
        ),
    ]  # fmt: skip
    for i, (_label, diff, lo, hi, colour) in enumerate(rows):
        ax.errorbar(
            100 * diff, i, xerr=[[100 * (diff - lo)], [100 * (hi - diff)]], fmt="o",
            color=colour, capsize=5, ms=9, lw=2,
        )  # fmt: skip
        ax.annotate(
            f"{100 * diff:+.0f} points", xy=(100 * diff, i), xytext=(0, 9),
            textcoords="offset points", ha="center", fontsize="small",
        )  # fmt: skip
    ax.axvline(0, color=OKABE_ITO["black"], lw=1)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    ax.set_ylim(len(rows) - 0.4, -0.6)
    edge = max(10.0, *(abs(100 * v) for r in rows for v in r[1:4])) * 1.15
    ax.set_xlim(-edge, edge)
    ax.set_xlabel("Difference in reply rate (percentage points), with 95% interval")
    ax.set_title(title or "The habit's difference, as it came and like for like")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _n(value: object) -> str:
    count = 0 if pd.isna(value) else int(value)  # type: ignore[call-overload]
    return f"{count} interview{'s' if count != 1 else ''}"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def save_figure(
    fig: Figure, path: str | Path, *, formats: Sequence[str] = ("png", "svg", "pdf"), dpi: int = 150
) -> list[Path]:
    """Save ``fig`` as PNG, SVG and PDF beside each other; return the paths written.

    ``path`` may carry a suffix or not: ``charts/thank_you.png`` and ``charts/thank_you``
    both give ``thank_you.png``, ``thank_you.svg`` and ``thank_you.pdf``.
    """
    base = Path(path)
    if base.suffix.lower().lstrip(".") in {"png", "svg", "pdf"}:
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        target = base.with_suffix(f".{fmt}")
        fig.savefig(target, format=fmt, dpi=dpi, bbox_inches="tight")
        written.append(target)
    return written


def chart_png(
    draw: Callable[[Axes], Any],
    *,
    size: tuple[float, float] = (8, 4.2),
    font_size: float = 10,
    dpi: int = 90,
    margins: dict[str, float] | None = None,
) -> bytes:
    """Draw with ``draw(ax)`` on a fresh off-screen figure and return PNG bytes.

    A bare ``Figure`` is used (not pyplot), so nothing pops up in the notebook and the
    notebook's own backend is left alone.

    Parameters
    ----------
    draw
        Called once with the figure's only Axes.
    size
        Figure size in inches.
    font_size
        Base font size for this figure only.
    dpi
        Resolution of the PNG.
    margins
        ``Figure.subplots_adjust`` arguments; default: a constrained layout, which
        draws the figure twice, so fixed margins are quicker for charts redrawn often.
    """
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"font.size": font_size}):
        if margins is None:
            fig = Figure(figsize=size, layout="constrained")
        else:
            fig = Figure(figsize=size)
            fig.subplots_adjust(**margins)
        draw(fig.add_subplot())
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


# --------------------------------------------------------------------------- a follow-up plan

_STATE_COLOURS = STATE_COLOURS  # one palette for the chart and the page's HTML timeline


def plot_plan(plan: pd.DataFrame, *, today: date | str, ax: Axes | None = None) -> Axes:
    """A small timeline: one bar per step from its first day to its due day, today marked.

    Bars are coloured by state (done, to do, overdue, skipped, missed); a dot marks the
    day a done step was actually sent.

    Parameters
    ----------
    plan
        From :func:`~followup_kit.plans.plan_for_interview` (or ``wb.plan``).
    today
        The day marked with a dashed line.
    ax
        Where to draw (default: the current Axes).

    Returns
    -------
    Axes
        One bar per step in ``ax.patches``, first step on top; the line labelled "today".
    """
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    ax = _axes(ax)
    now = pd.Timestamp(as_date(today))
    labels = [
        _plain(step_words(str(s), w))
        for s, w in zip(plan["step"], plan["interviewer"], strict=True)
    ]
    y = list(range(len(plan)))[::-1]  # first step on top
    starts = mdates.date2num(pd.to_datetime(plan["start"]))
    # A step is on time through its whole due day, so the bar ends the day after.
    ends = mdates.date2num(pd.to_datetime(plan["due"]) + timedelta(days=1))
    colours = [_STATE_COLOURS.get(str(s), "#377eb8") for s in plan["state"]]
    ax.barh(y, ends - starts, left=starts, color=colours, height=0.6)
    done = plan["done_on"].notna().to_numpy()
    if done.any():
        ax.plot(
            mdates.date2num(pd.to_datetime(plan["done_on"][done])),
            [yy for yy, d in zip(y, done, strict=True) if d],
            "o",
            color="black",
            markersize=4,
            label="sent",
        )
    ax.axvline(mdates.date2num(now), color="black", linestyle="--", linewidth=1, label="today")
    ax.text(mdates.date2num(now), len(plan) - 0.4, " today", va="bottom", fontsize=8)
    ax.set_yticks(y, labels)
    # "Tue 4 Mar" without strftime, whose words follow the locale ("%-d" fails on Windows).
    ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda x, _pos: format_day(mdates.num2date(x)).rsplit(" ", 1)[0])
    )
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax.set_ylim(-0.7, len(plan) - 0.1)
    ax.set_title("Your follow-up plan")
    present = [s for s in _STATE_COLOURS if s in set(plan["state"].astype(str))]
    ax.legend(
        handles=[
            Patch(color=_STATE_COLOURS[s], label=STATE_WORDS[s].split(" (")[0]) for s in present
        ],
        loc="lower left",  # later steps sit low and to the right, so this corner is free
        fontsize=7,
    )
    return ax
