"""One self-contained HTML report of what worked, for a coach or a workshop."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from . import analytics as an
from . import plots as pl
from .adjusted import adjusted_compare
from .analysis import analysis_frame
from .evidence import rule_evidence
from .exceptions import AnalyticsError
from .formatting import group_label, percent
from .intervals import INTERVAL_WORDS
from .rules import load_rules
from .schema import format_day
from .workshop import TOO_FEW, workshop_curves, workshop_funnel, workshop_table

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .store import Workbook

__all__ = ["coach_report", "render_report"]

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         max-width: 62rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a;
         line-height: 1.5; font-size: 1.05rem; }
  h1 { font-size: 1.9rem; margin-bottom: .2rem; }
  h2 { font-size: 1.4rem; margin-top: 2.4rem; border-bottom: 2px solid #0072B2; }
  .sub { color: #555; margin-top: 0; }
  .numbers { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
  .numbers div { background: #f2f6fa; padding: .6rem 1rem; border-radius: .4rem; }
  .numbers b { display: block; font-size: 1.6rem; }
  figure { margin: 1rem 0; }
  figure img { max-width: 100%; height: auto; }
  figcaption { color: #444; font-size: .95rem; }
  table { border-collapse: collapse; margin: .8rem 0; font-size: .95rem; }
  th, td { border-bottom: 1px solid #ddd; padding: .3rem .6rem; text-align: left;
           vertical-align: top; }
  th { background: #f2f2f2; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .hidden { color: #777; font-style: italic; }
  .note { background: #fff8e6; border-left: 4px solid #E69F00; padding: .6rem 1rem; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="sub">{{ subtitle }}</p>

<div class="note">
  <p>{{ caveat }}</p>
</div>

<div class="numbers">
{% for label, value in numbers %}  <div><b>{{ value }}</b>{{ label }}</div>
{% endfor %}</div>

{% for section in sections %}
<h2>{{ section.heading }}</h2>
<p>{{ section.text }}</p>
{% if section.image %}<figure>
  <img src="data:image/png;base64,{{ section.image }}" alt="{{ section.alt }}">
  <figcaption>{{ section.alt }}</figcaption>
</figure>{% endif %}
{% if section.table %}{{ section.table }}{% endif %}
{% for paragraph in section.readings %}<p>{{ paragraph }}</p>
{% endfor %}
{% endfor %}

<p class="sub">Made with the Follow-up Workbook on {{ made_on }}.
Replies are counted when they came within {{ window }} days of the interview; interviews
younger than that with no reply yet are left out of the rates and counted as waiting.</p>
</body>
</html>
"""

_CAVEAT = (
    "These charts show what happened, not what caused it. Clients chose their own habits, "
    "and those who write quickly may differ in other ways (keener, better prepared, "
    "applying for different roles). Bars carry their number of interviews (n) and a 95% "
    "interval: when intervals overlap a lot, the data cannot tell the groups apart."
)


def _figure_png(
    draw: Callable[[Axes], Any], size: tuple[float, float] = (8.5, 4.6), *, on: bool = True
) -> str | None:
    """Draw on a fresh figure and return it as base64 PNG text (None when ``on`` is off)."""
    if not on:
        return None
    return base64.b64encode(pl.chart_png(draw, size=size, dpi=110)).decode("ascii")


def _rates_html(table: pd.DataFrame, label: str) -> Markup:
    """A reply-rate table as escaped HTML: group, n, replied, rate, interval, waiting."""
    rows = []
    for group, r in table.iterrows():
        hidden = "shown" in table and not bool(r["shown"])
        if hidden:
            cells = [f'<td colspan="5" class="hidden">{TOO_FEW}</td>']
        else:
            interval = (
                f"{percent(r['ci_low'])} to {percent(r['ci_high'])}"
                if not pd.isna(r["ci_low"])
                else ""
            )
            cells = [
                f'<td class="num">{int(r["n"])}</td>',
                f'<td class="num">{int(r["responded"])}</td>',
                f'<td class="num">{percent(r["rate"])}</td>',
                f'<td class="num">{interval}</td>',
                f'<td class="num">{int(r["pending"])}</td>',
            ]
        name = group_label(table.attrs.get("by", ""), group)
        rows.append(f"<tr><td>{Markup.escape(name)}</td>{''.join(cells)}</tr>")
    head = (
        f"<tr><th>{Markup.escape(label)}</th><th>Interviews (n)</th><th>Got a reply</th>"
        "<th>Rate</th><th>95% interval</th><th>Still waiting</th></tr>"
    )
    kind = table.attrs.get("interval", "wilson")
    note = Markup.escape(INTERVAL_WORDS.get(kind, INTERVAL_WORDS["wilson"]))
    return Markup(f"<table>{head}{''.join(rows)}</table><p><small>{note}.</small></p>")


def _rules_html(table: pd.DataFrame, hidden: np.ndarray) -> Markup:
    rows = []
    for (_, r), hide in zip(table.iterrows(), hidden, strict=True):
        title = Markup.escape(str(r["title"]))
        if r["verdict"] == "not measured":
            rest = f'<td colspan="3" class="hidden">{Markup.escape(r["reading"])}</td>'
        elif hide:
            rest = f'<td colspan="3" class="hidden">{TOO_FEW}</td>'
        else:
            followed = f"{percent(r['rate_followed'])} of {r['n_followed']}"
            not_followed = f"{percent(r['rate_not'])} of {r['n_not']}"
            rest = (
                f'<td class="num">{followed}</td><td class="num">{not_followed}</td>'
                f"<td>{Markup.escape(str(r['verdict']))}</td>"
            )
        why = Markup.escape(str(r["why"] or ""))
        rows.append(f"<tr><td><b>{title}</b><br><small>{why}</small></td>{rest}</tr>")
    head = (
        "<tr><th>Rule</th><th>Reply rate when followed</th><th>When not</th>"
        "<th>What the data says</th></tr>"
    )
    return Markup(f"<table>{head}{''.join(rows)}</table>")


def _clients_html(table: pd.DataFrame) -> Markup:
    rows = []
    for _, r in table.iterrows():
        rows.append(
            "<tr>"
            f"<td>{Markup.escape(str(r['client']))}</td>"
            f'<td class="num">{int(r["interviews"])}</td>'
            f'<td class="num">{int(r["n"])}</td>'
            f'<td class="num">{percent(r["rate"])}</td>'
            f'<td class="num">{percent(r["thank_you_sent"])}</td>'
            f'<td class="num">{int(r["next_round_or_offer"])}</td>'
            "</tr>"
        )
    head = (
        "<tr><th>Client</th><th>Interviews</th><th>Window closed</th><th>Reply rate</th>"
        "<th>Thank-you sent</th><th>Next round or offer</th></tr>"
    )
    return Markup(f"<table>{head}{''.join(rows)}</table>")


_QUICK = ["same day", "1 day"]
_SLOW = ["2-3 days", "4-7 days", "8+ days", "none"]


def _adjusted_section(frame: pd.DataFrame) -> dict[str, Any]:
    """A quick thank-you against a later one (or none), raw and with round, format and
    route held equal; or why the data cannot support the adjusted figure."""
    try:
        result = adjusted_compare(frame, "thank_you_timing", _QUICK, _SLOW)
        readings = [result.reading]
    except AnalyticsError as err:
        readings = [f"No adjusted figure: {err}"]
    return {
        "heading": "A quick thank-you, like for like",
        "text": "Interviews whose thank-you went out by the next day against those where it "
        "went out later or not at all: first as they came, then holding the round, the "
        "format and the contact route equal, since those can go with both replies and "
        "thank-you habits (a final round, say).",
        "readings": readings,
    }


def render_report(
    frame: pd.DataFrame,
    *,
    title: str = "What worked after interviews",
    cohort: str | None = None,
    anonymous: bool = True,
    k: int = 5,
    rules: object = None,
    charts: bool = True,
) -> str:
    """The report as an HTML string, from an analysis frame (see :func:`coach_report`).

    ``charts=False`` leaves the charts out (tables and readings only), which is quicker.
    """
    import jinja2

    today = frame.attrs.get("today") or date.today()
    window = frame.attrs.get("window_days", 30)
    n_clients = int(frame["client_id"].nunique())
    enough = n_clients >= k or not anonymous
    settled = frame[frame["settled"]]
    numbers = [
        ("clients", n_clients),
        ("interviews", len(frame)),
        ("window closed", len(settled)),
        ("still waiting", int(frame["pending"].sum())),
        (
            f"got a reply within {window} days",
            percent(settled["responded"].mean()) if len(settled) else "-",
        ),
    ]
    rates: Callable[..., pd.DataFrame]
    if anonymous:

        def rates(by: str) -> pd.DataFrame:
            return workshop_table(frame, by, k=k)

    else:

        def rates(by: str) -> pd.DataFrame:
            return an.response_rates(frame, by, interval="auto")

    sections: list[dict[str, Any]] = []
    if not enough:
        sections.append(
            {
                "heading": "Too few clients to show",
                "text": f"This group has fewer than {k} clients, so the anonymised charts "
                "are not shown: with so few people, a bar could point at one person.",
            }
        )
    else:
        for by, heading, text, plot, label in (
            (
                "thank_you_timing",
                "How soon the thank-you went out",
                "Share of interviews that got a reply, by how many days after the interview "
                "the first thank-you note was sent.",
                pl.plot_thank_you_timing,
                "Thank-you sent after",
            ),
            (
                "status_check_timing",
                "When the first status check went out",
                "The same, by when the first status check was sent. 'No status check' holds "
                "interviews answered before a check was due, so it looks better than it "
                "is; the rules section below compares fairly.",
                pl.plot_status_check_timing,
                "Status check sent after",
            ),
            (
                "thank_you_channel",
                "How the thank-you was sent",
                "Reply rate by the channel of the first thank-you note.",
                pl.plot_by_channel,
                "Channel",
            ),
            (
                "script_id",
                "Which script was used",
                "Reply rate by script sent before the reply (an interview that used two "
                "scripts counts for both).",
                pl.plot_by_script,
                "Script",
            ),
        ):
            table = rates(by)
            sections.append(
                {
                    "heading": heading,
                    "text": text,
                    "image": _figure_png(lambda ax, t=table, p=plot: p(t, ax=ax), on=charts),
                    "alt": f"Bar chart: {heading.lower()}, reply rate with 95% intervals.",
                    "table": _rates_html(table, label),
                }
            )
        curves = (
            workshop_curves(frame, "thank_you_timing", k=k)
            if anonymous
            else an.response_curves(frame, "thank_you_timing")
        )
        sections.append(
            {
                "heading": "How long replies took",
                "text": "Share of interviews with a reply by each day after the interview "
                "(Kaplan-Meier). Interviews still waiting count for as long as they have "
                "waited, not as silences.",
                "image": _figure_png(lambda ax: pl.plot_time_to_response(curves, ax=ax), on=charts),
                "alt": "Line chart: share of interviews with a reply by days since the "
                "interview, one line per thank-you timing.",
            }
        )
        funnel = workshop_funnel(frame, k=k) if anonymous else an.funnel(frame)
        sections.append(
            {
                "heading": "From interview to offer",
                "text": "How many interviews (with the reply window closed) reached each step.",
                "image": _figure_png(
                    lambda ax: pl.plot_funnel(funnel, ax=ax), (8.5, 3.6), on=charts
                ),
                "alt": "Bar chart: interviews, thank-you sent, status check sent, reply "
                "received, next round or offer.",
            }
        )
        evidence = rule_evidence(frame, rules, interval="auto")
        hidden = np.zeros(len(evidence), dtype=bool)
        if anonymous:
            fewest = evidence[["clients_followed", "clients_not"]].min(axis=1)
            hidden = (fewest.fillna(k) < k).to_numpy()
        shown_rules = evidence[~hidden]
        sections.append(
            {
                "heading": "Each timing rule beside your clients' data",
                "text": "For each rule: the reply rate of interviews where it was followed "
                "against those where it was not. Status-check rules count only interviews "
                "still waiting when the rule's window opened.",
                "image": _figure_png(
                    lambda ax: pl.plot_rule_evidence(shown_rules, ax=ax), (9.5, 4.2), on=charts
                ),
                "alt": "Dot chart: difference in reply rate when each rule was followed, "
                "with 95% intervals.",
                "table": _rules_html(evidence, hidden),
                "readings": [
                    f"{r['title']}: {r['reading']}"
                    for (_, r), hide in zip(evidence.iterrows(), hidden, strict=True)
                    if not hide and r["verdict"] != "not measured"
                ],
            }
        )
        sections.append(_adjusted_section(frame))
        if not anonymous:
            sections.append(
                {
                    "heading": "By client (coach only)",
                    "text": "Each client's interviews and replies. Not for showing a group.",
                    "table": _clients_html(an.by_client(frame)),
                }
            )
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    group = f" - {cohort}" if cohort else ""
    privacy = (
        f"names and companies left out; groups of fewer than {k} clients are hidden."
        if anonymous
        else "coach's view, with names: not for showing a group."
    )
    return env.from_string(_TEMPLATE).render(
        title=title + group,
        subtitle=f"Data as of {format_day(today)}; {privacy}",
        caveat=_CAVEAT,
        numbers=numbers if enough else numbers[:1],
        sections=[{"image": None, "table": None, "readings": [], "alt": "", **s} for s in sections],
        made_on=format_day(date.today()),
        window=window,
    )


def coach_report(
    wb: Workbook,
    path: str | Path,
    *,
    today: object = None,
    cohort: str | None = None,
    anonymous: bool = True,
    k: int = 5,
    window_days: int = 30,
) -> Path:
    """Write one self-contained HTML report (charts embedded) of what worked.

    Parameters
    ----------
    wb
        The workbook.
    path
        Where to write the ``.html`` file (folders are created).
    today
        The day the data is seen from; ``None`` is ``wb.today``.
    cohort
        Only this workshop group's clients.
    anonymous
        ``True`` (default, for showing a group): no names or companies, and any group of
        fewer than ``k`` clients shown as "too few to show". ``False`` adds a per-client
        table for the coach.
    k
        The smallest number of distinct clients a shown group may have.

    Returns
    -------
    Path
        The file written. It needs no other files: charts are embedded as PNG, and
        every piece of user text is HTML-escaped.
    """
    day = today if today is not None else wb.today
    frame = analysis_frame(wb.tables(), today=day, window_days=window_days)
    if cohort is not None:
        known = sorted(str(c) for c in frame["cohort"].dropna().unique())
        if cohort not in known:
            listed = ", ".join(known) or "none"
            raise AnalyticsError(f"There is no workshop group {cohort!r}; known groups: {listed}.")
        frame = an.filter_frame(frame, cohort=cohort)
    html = render_report(
        frame, cohort=cohort, anonymous=anonymous, k=k, rules=load_rules(wb.data_dir)
    )
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return target
