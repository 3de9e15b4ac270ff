"""Charts: what was drawn (bar heights, labels, n on every bar), not pixels."""

from __future__ import annotations

from datetime import date

import matplotlib
import matplotlib.dates
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from test_analytics import D0, TODAY, Cohort, _km_cohort, _rate_cohort, d
from test_workshop import _clients_cohort

from followup_kit import analytics as an
from followup_kit import demo
from followup_kit import plots as pl
from followup_kit.adjusted import adjusted_compare
from followup_kit.analysis import THANK_YOU_BUCKETS, analysis_frame
from followup_kit.evidence import rule_evidence
from followup_kit.formatting import script_title
from followup_kit.workshop import workshop_funnel, workshop_table

matplotlib.use("Agg")


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _ticks(ax, axis="x") -> list[str]:
    labels = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in labels]


def test_bars_are_the_rates_with_n_on_each_and_wilson_error_bars():
    table = an.response_rates(_rate_cohort().frame(), "thank_you_timing")
    fig, ax = plt.subplots()
    out = pl.plot_thank_you_timing(table, ax=ax)
    assert out is ax
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([100 * 4 / 7, 0.0, 100.0])  # same day, 1 day, none
    assert [p.get_x() + p.get_width() / 2 for p in ax.patches] == pytest.approx([0, 1, 5])
    assert _ticks(ax) == [*THANK_YOU_BUCKETS[:-1], "not sent"]
    # Every group carries its n, drawn or not; groups under min_n say they are few.
    assert _texts(ax) == ["n=7", "n=3 (few)", "n=0", "n=0", "n=0", "n=5"]
    # The error bar of the first bar spans the Wilson interval.
    caps = ax.containers[-1]  # the ErrorbarContainer
    segments = caps.lines[2][0].get_segments()
    lo, hi = table.loc["same day", ["ci_low", "ci_high"]] * 100
    assert segments[0][:, 1] == pytest.approx([lo, hi])
    assert "30 days" in ax.get_ylabel()
    assert ax.get_title() == "Replies by how soon the thank-you note went out"


def test_few_bars_are_faint_and_colours_are_okabe_ito():
    table = an.response_rates(_rate_cohort().frame(), "thank_you_timing")
    ax = pl.plot_response_rates(table)
    assert ax is plt.gca()  # no ax given: the current one
    full, few, _ = ax.patches
    assert few.get_alpha() == pytest.approx(0.35) and few.get_hatch() == "//"
    assert full.get_alpha() == 1.0
    assert to_hex(full.get_facecolor()) == pl.OKABE_ITO["blue"].lower()


def test_hidden_workshop_groups_are_not_drawn():
    f = _clients_cohort({"same day": 6, "1 day": 4, "2-3 days": 3, "none": 7}).frame()
    table = workshop_table(f, "thank_you_timing", k=5)
    fig, ax = plt.subplots()
    pl.plot_thank_you_timing(table, ax=ax)
    assert len(ax.patches) == 2  # same day and none only
    texts = _texts(ax)
    assert texts.count("too few to show") == 2
    assert texts[0] == "n=6" and texts[-1] == "n=7"


def test_horizontal_script_bars():
    f = Cohort()
    cid = f.client()
    for i in range(6):
        iid = f.interview(cid, D0)
        f.send(iid, D0, script="thank_you_note")
        if i < 3:
            f.reply(iid, d(5))
    table = an.response_rates(f.frame(), "script_id")
    ax = pl.plot_by_script(table)
    assert [p.get_width() for p in ax.patches] == pytest.approx([50.0])
    assert _ticks(ax, "y") == ["Thank-you note after an\ninterview"]  # its title, wrapped
    assert _texts(ax)[0] == "n=6" and "second follow-up" in _texts(ax)[1]
    assert "30 days" in ax.get_xlabel()


def test_status_check_chart_carries_its_caveat():
    table = an.response_rates(_rate_cohort().frame(), "status_check_timing")
    ax = pl.plot_status_check_timing(table)
    assert any("answered before a check was due" in t for t in _texts(ax))
    assert pl.plot_by_channel(an.response_rates(_rate_cohort().frame(), "thank_you_channel"))


def test_kaplan_meier_lines_follow_the_curve():
    curves = an.response_curves(_km_cohort().frame())
    ax = pl.plot_time_to_response(curves, max_days=10)
    (line,) = ax.lines
    x, y = line.get_data()
    assert list(x) == [0, 1, 2, 3, 10]
    assert list(y) == pytest.approx([0, 20, 40, 70, 70])
    assert line.get_drawstyle() == "steps-post"
    assert ax.get_legend().get_texts()[0].get_text() == "all (n=5)"
    assert ax.get_xlabel() == "Days since the interview"


def test_kaplan_meier_groups_get_different_colours():
    curves = an.response_curves(_rate_cohort().frame(), "thank_you_timing")
    ax = pl.plot_time_to_response(curves)
    colours = {to_hex(line.get_color()) for line in ax.lines}
    assert len(colours) == len(ax.lines) == 3
    empty = pl.plot_time_to_response(curves.iloc[0:0], ax=plt.figure().gca())
    assert "No interviews" in _texts(empty)[0]


def test_funnel_bars_and_labels():
    f = _rate_cohort().frame()
    table = an.funnel(f)
    ax = pl.plot_funnel(table)
    assert [p.get_width() for p in ax.patches] == list(table["count"])
    assert _ticks(ax, "y") == list(an.FUNNEL_STAGES)
    assert _texts(ax)[0] == "15 (100%)"
    hidden = pl.plot_funnel(workshop_funnel(f, k=5), ax=plt.figure().gca())
    assert not hidden.patches and _texts(hidden) == ["too few to show"]


def test_client_timeline_marks_every_event():
    c = Cohort()
    cid = c.client()
    iid = c.interview(cid, D0, company="Acme", round="final")
    c.send(iid, D0)
    c.send(iid, d(7), kind="status_check")
    c.reply(iid, d(9), result="offer")
    c.interview(cid, d(20), company="Beta")
    timeline = an.client_timeline(c.tables(), cid, today=TODAY)
    ax = pl.plot_client_timeline(timeline, today=TODAY)
    assert _ticks(ax, "y") == ["Acme (final interview)", "Beta (first interview)"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Interview", "Thank-you note", "Status check", "Reply", "Today"]
    points = {c.get_label(): c.get_offsets() for c in ax.collections}
    assert len(points["Interview"]) == 2 and len(points["Reply"]) == 1
    reply_x = matplotlib.dates.num2date(points["Reply"][0][0]).date()
    assert reply_x == d(9)
    empty = pl.plot_client_timeline(timeline.iloc[0:0], ax=plt.figure().gca())
    assert _texts(empty) == ["No interviews yet"]


def test_rule_evidence_dots_and_intervals():
    f = analysis_frame(demo.generate(n_clients=10, seed=7), today="2026-11-02")
    table = rule_evidence(f)
    ax = pl.plot_rule_evidence(table)
    measured = table[table["verdict"] != "not measured"]
    assert len(ax.get_yticklabels()) == len(measured)
    dots = [c.lines[0].get_xdata()[0] for c in ax.containers]
    drawn = measured["difference"].dropna() * 100
    assert dots == pytest.approx(list(drawn))
    assert _texts(ax) == []  # nothing beside the axes, where it could run off the edge
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    first = measured.iloc[0]
    assert ticks[0].endswith(
        f"followed in {first['n_followed']} interviews, not in {first['n_not']} interviews"
    )


def test_save_figure_writes_png_svg_and_pdf(tmp_path):
    fig, ax = plt.subplots()
    pl.plot_funnel(an.funnel(_rate_cohort().frame()), ax=ax)
    paths = pl.save_figure(fig, tmp_path / "charts" / "funnel.png")
    assert [p.name for p in paths] == ["funnel.png", "funnel.svg", "funnel.pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in paths[1].read_bytes()[:500]
    assert paths[2].read_bytes()[:5] == b"%PDF-"
    assert pl.save_figure(fig, tmp_path / "plain", formats=("svg",))[0].suffix == ".svg"


def test_every_chart_draws_on_the_demo_without_warnings(recwarn):
    tables = demo.generate(n_clients=8, seed=7)
    f = analysis_frame(tables, today="2026-11-02")
    fig, axes = plt.subplots(3, 3)
    pl.plot_thank_you_timing(an.response_rates(f, "thank_you_timing"), ax=axes[0, 0])
    pl.plot_status_check_timing(an.response_rates(f, "status_check_timing"), ax=axes[0, 1])
    pl.plot_by_channel(an.response_rates(f, "thank_you_channel"), ax=axes[0, 2])
    pl.plot_by_script(an.response_rates(f, "script_id"), ax=axes[1, 0])
    pl.plot_time_to_response(an.response_curves(f, "thank_you_timing"), ax=axes[1, 1])
    pl.plot_funnel(an.funnel(f), ax=axes[1, 2])
    pl.plot_client_timeline(an.client_timeline(tables, 1, today="2026-11-02"), ax=axes[2, 0])
    pl.plot_rule_evidence(rule_evidence(f), ax=axes[2, 1])
    assert all(ax.get_title() for ax in axes.flat[:8])
    assert not [w for w in recwarn if "matplotlib" in str(w.filename)]
    assert np.isfinite([p.get_height() for p in axes[0, 0].patches]).all()


def test_chart_png_leaves_pyplot_alone():
    before = plt.get_fignums()
    png = pl.chart_png(lambda ax: ax.plot([0, 1], [0, 1]), size=(3, 2))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and plt.get_fignums() == before
    fixed = pl.chart_png(lambda ax: ax.plot([0, 1]), size=(3, 2), margins={"left": 0.3})
    assert fixed.startswith(b"\x89PNG") and plt.get_fignums() == before


def test_plot_plan_draws_one_bar_per_step_and_marks_today(wb):
    plan_today = date(2025, 3, 20)
    cid = wb.add_client("Alex Rivera", country="US")
    acme = wb.log_interview(
        cid, "Acme", "Analyst", date(2025, 3, 4), interviewers=["Dana Lee", "Sam <b>Ortiz</b>"]
    )
    plan = wb.plan(acme, today=plan_today)
    fig, ax = plt.subplots()
    out = pl.plot_plan(plan, today=plan_today, ax=ax)
    assert out is ax
    bars = ax.patches
    assert len(bars) == len(plan) == 5
    top = {tick.get_position()[1]: tick.get_text() for tick in ax.get_yticklabels()}
    assert top[max(top)] == "Thank-you note to Dana Lee"  # the first step is drawn on top
    assert top[min(top)] == "Close as ghosted and move on"
    colours = [to_hex(b.get_facecolor()) for b in bars]
    # missed thank-yous, the overdue status check and second follow-up, then the step to do
    assert colours == ["#cccccc", "#cccccc", "#d95f02", "#d95f02", "#377eb8"]
    assert list(plan["state"].astype(str)) == ["missed", "missed", "overdue", "overdue", "open"]
    status_check = bars[2]
    assert round(status_check.get_width()) == 5  # Fri 7 to Tue 11 Mar, due day included
    today_line = [ln for ln in ax.lines if ln.get_label() == "today"]
    assert len(today_line) == 1
    assert matplotlib.dates.num2date(today_line[0].get_xdata()[0]).date() == plan_today


# --------------------------------------------------------------------------- user text
# What people type, with dollar signs matplotlib would otherwise read as mathtext.
DOLLAR = {
    "client": "Alex $\\foo$ Rivera",
    "cohort": "Cohort $#1$",
    "company": "R&D $#1$",
    "role": "Price $5 and $6",
    "interviewer": "Dana $\\foo$",
    "script_id": "my $\\foo$ script",
    "rule": "Thank-you within $2$ days",
}
_PLAN_DAY = date(2026, 10, 20)


@pytest.fixture(scope="module")
def dollar_wb(tmp_path_factory):
    import followup_kit as fk

    wb = fk.open_workbook(tmp_path_factory.mktemp("dollar") / "wb.sqlite", today="2026-11-02")
    wb.load_tables(demo.generate(n_clients=8, seed=7), progress=False)
    cid = wb.add_client(DOLLAR["client"], cohort=DOLLAR["cohort"])
    for day in range(1, 7):
        iid = wb.log_interview(
            cid, DOLLAR["company"], DOLLAR["role"], date(2026, 9, day),
            interviewers=[DOLLAR["interviewer"]],
        )  # fmt: skip
        wb.log_follow_up(
            iid, kind="thank_you", channel="email", sent_on=date(2026, 9, day),
            script_id=DOLLAR["script_id"],
        )  # fmt: skip
    wb.dollar_client = cid
    wb.dollar_interview = wb.log_interview(
        cid, DOLLAR["company"], DOLLAR["role"], _PLAN_DAY, interviewers=[DOLLAR["interviewer"]]
    )
    yield wb
    wb.close()


def _drawn(fig) -> list[str]:
    """Every text on the figure as matplotlib shows it, after a real draw."""
    from matplotlib import cbook
    from matplotlib.text import Text

    fig.canvas.draw()
    out = []
    for t in fig.findobj(Text):
        s = t.get_text()
        if s and t.get_visible():
            assert not cbook.is_math_text(s), s  # drawn as plain text, never as math
            out.append(s.replace("\\$", "$"))  # matplotlib shows an escaped $ as $
    return out


def test_dollar_signs_in_user_text_draw_as_typed_in_every_chart(dollar_wb):
    f = analysis_frame(dollar_wb.tables(), today="2026-11-02")
    evidence = rule_evidence(f)
    evidence["title"] = [DOLLAR["rule"]] + list(evidence["title"].iloc[1:])
    curves = an.response_curves(f, "cohort")
    charts = {
        "script": (lambda ax: pl.plot_by_script(an.response_rates(f, "script_id"), ax=ax),
                   [script_title(DOLLAR["script_id"])]),
        "cohort": (lambda ax: pl.plot_response_rates(an.response_rates(f, "cohort"), ax=ax,
                   title=f"Replies in {DOLLAR['cohort']}", note=DOLLAR["role"]),
                   [DOLLAR["cohort"], f"Replies in {DOLLAR['cohort']}", DOLLAR["role"]]),
        "company": (lambda ax: pl.plot_response_rates(an.response_rates(f, "company"), ax=ax,
                    horizontal=True, xlabel=DOLLAR["company"]),
                    [DOLLAR["company"]]),
        "role": (lambda ax: pl.plot_response_rates(an.response_rates(f, "role"), ax=ax),
                 [DOLLAR["role"]]),
        "curves": (lambda ax: pl.plot_time_to_response(curves, ax=ax),
                   [f"{DOLLAR['cohort']} (n="]),
        "funnel": (lambda ax: pl.plot_funnel(an.funnel(f), ax=ax, title=DOLLAR["company"]),
                   [DOLLAR["company"]]),
        "timeline": (lambda ax: pl.plot_client_timeline(
                         an.client_timeline(dollar_wb.tables(), dollar_wb.dollar_client,
                                            today="2026-11-02"), ax=ax, today="2026-11-02"),
                     [DOLLAR["company"]]),
        "rules": (lambda ax: pl.plot_rule_evidence(evidence, ax=ax), [DOLLAR["rule"]]),
        "plan": (lambda ax: pl.plot_plan(dollar_wb.plan(dollar_wb.dollar_interview,
                                                        today=_PLAN_DAY), today=_PLAN_DAY, ax=ax),
                 [f"Thank-you note to {DOLLAR['interviewer']}"]),
    }  # fmt: skip
    for name, (draw, typed) in charts.items():
        fig, ax = plt.subplots(figsize=(9, 5))
        draw(ax)
        shown = _drawn(fig)
        for text in typed:
            assert any(text in s for s in shown), (name, text, shown)
        plt.close(fig)


def test_dollar_signs_draw_in_the_coach_report_and_the_png_charts(dollar_wb):
    from followup_kit.report import render_report

    f = analysis_frame(dollar_wb.tables(), today="2026-11-02")
    html = render_report(f, anonymous=False, charts=True)
    assert html.count('<img src="data:image/png;base64,') == 7
    assert script_title(DOLLAR["script_id"]) in html  # the table shows it as typed too
    png = pl.chart_png(lambda ax: pl.plot_by_script(an.response_rates(f, "script_id"), ax=ax))
    assert png.startswith(b"\x89PNG")


def test_plain_text_helper_round_trips_what_was_typed():
    from matplotlib import cbook

    for typed in ["Price $5 and $6", "$", "a\\$b", "Dana $\\foo$", "no dollars", "$$"]:
        escaped = pl._plain(typed)
        assert not cbook.is_math_text(escaped)
        assert escaped.replace("\\$", "$") == typed


def test_adjusted_chart_shows_raw_and_adjusted_side_by_side():
    f = analysis_frame(demo.generate(n_clients=40, seed=7), today="2026-11-02")
    quick, slow = ["same day", "1 day"], ["2-3 days", "4-7 days", "8+ days", "none"]
    result = adjusted_compare(f, "thank_you_timing", quick, slow)
    ax = pl.plot_adjusted(result)
    dots = [c.lines[0].get_xdata()[0] for c in ax.containers]
    assert dots == pytest.approx([100 * result.raw.difference, 100 * result.difference])
    assert _texts(ax) == [f"{100 * result.raw.difference:+.0f} points",
                          f"{100 * result.difference:+.0f} points"]  # fmt: skip
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "As it came"
