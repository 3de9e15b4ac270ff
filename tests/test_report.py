"""The HTML report: self-contained, escaped, anonymised for a workshop."""

from __future__ import annotations

import re
from datetime import date

import pytest
from builders import DEMO_TODAY

import followup_kit as fk
from followup_kit import demo
from followup_kit.analysis import analysis_frame
from followup_kit.evidence import rule_evidence
from followup_kit.report import coach_report, render_report

TODAY = DEMO_TODAY
EVIL = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def demo_wb(tmp_path_factory):
    """The demo cohort, plus one client whose name, company and cohort are hostile HTML."""
    wb = fk.open_workbook(tmp_path_factory.mktemp("r") / "wb.sqlite", today=TODAY)
    wb.load_tables(demo.generate(n_clients=12, seed=7), progress=False)
    cid = wb.add_client(f"Mallory {EVIL}", cohort=f"Group {EVIL}")
    iid = wb.log_interview(cid, f"Evil & Co {EVIL}", "Analyst", date(2026, 9, 1))
    wb.log_follow_up(
        iid, kind="thank_you", channel="email", sent_on=date(2026, 9, 1), script_id=EVIL
    )
    yield wb
    wb.close()


def test_workshop_report_is_self_contained_escaped_and_anonymous(demo_wb, tmp_path):
    path = coach_report(demo_wb, tmp_path / "out" / "report.html")
    assert path == tmp_path / "out" / "report.html"
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    # Self-contained: images are embedded; nothing is fetched from elsewhere.
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == 7 and all(src.startswith("data:image/png;base64,") for src in images)
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<script" not in html  # the hostile script id is escaped, never live
    assert "&lt;script&gt;" in html  # it shows as text in the script table
    # Anonymous: no client names or companies, from the demo or the hostile client.
    for name in demo_wb.clients()["name"]:
        assert name.split()[0] + " " + name.split()[1] not in html
    for company in set(demo_wb.interviews()["company"]):
        assert company not in html and company.replace("&", "&amp;") not in html
    assert "Data as of Mon 2 Nov 2026" in html
    assert "observational" in html and "not what caused it" in html
    # The headline numbers match the analysis.
    frame = analysis_frame(demo_wb.tables(), today=TODAY)
    assert f"<b>{len(frame)}</b>interviews" in html
    assert f"<b>{int(frame['pending'].sum())}</b>still waiting" in html


def test_coach_view_names_clients_escaped(demo_wb):
    frame = analysis_frame(demo_wb.tables(), today=TODAY)
    html = render_report(frame, anonymous=False, charts=False)
    assert "By client (coach only)" in html
    assert "Mallory &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    first = demo_wb.clients()["name"].iloc[0]
    assert first in html
    assert "<script" not in html


def test_small_cohort_is_not_shown(demo_wb, tmp_path):
    html = coach_report(demo_wb, tmp_path / "small.html", cohort=f"Group {EVIL}").read_text()
    assert "Too few clients to show" in html
    assert "<img" not in html
    assert "Group &lt;script&gt;" in html and "<script" not in html


def test_unknown_cohort_is_refused(demo_wb, tmp_path):
    with pytest.raises(fk.AnalyticsError, match="no workshop group 'Nope'"):
        coach_report(demo_wb, tmp_path / "x.html", cohort="Nope")


def test_render_report_hides_rule_rows_with_few_clients():
    tables = demo.generate(n_clients=6, seed=7)
    frame = analysis_frame(tables, today=TODAY)
    html = render_report(frame, k=6, charts=False)
    assert "<img" not in html
    evidence = rule_evidence(frame)
    measured = evidence[evidence["verdict"] != "not measured"]
    few = measured[measured[["clients_followed", "clients_not"]].min(axis=1) < 6]
    assert len(few) >= 1  # the second follow-up rule has few clients on one side
    assert html.count("too few to show") >= len(few)
    for title in few["title"]:
        assert f"{title}:" not in html  # no reading paragraph for a hidden rule


def test_report_carries_the_adjusted_comparison_and_says_which_interval(demo_wb):
    frame = fk.analysis_frame(demo_wb.tables(), today=demo_wb.today)
    html = render_report(frame, anonymous=False, charts=False)
    assert "A quick thank-you, like for like" in html
    assert "Holding round, format and contact route equal" in html
    assert "allowing for clients with several interviews" in html
    small = render_report(frame[frame["client_id"] <= 3], anonymous=False, charts=False)
    assert "No adjusted figure: Too few clients" in small
