"""Benchmark: the analysis frame and every dashboard table for about a million interviews.

Builds a cohort with ``followup_kit.demo.generate(n_clients=50_000)`` (about 1M
interviews, 2M follow-ups), then times

1. ``analysis_frame`` plus every table the coach dashboard shows, i.e. one dashboard
   refresh, ``dashboard_data.coach_tables`` (goal: <= 2 s in all; each table is also timed on
   its own for the breakdown);
2. the same work as SQL in DuckDB on the same data, already loaded into DuckDB tables
   (goal: ours no slower than 2x DuckDB);
3. what the cluster-aware intervals cost: every dashboard table with Wilson intervals
   against the dashboard's own choice (the cluster interval wherever a client has several
   interviews in a group; goal: at most +20%), in wall and CPU time;
4. opening the dashboard from the store, as the coach does. The first open reads the
   SQLite store whole (only the dashboard's columns, ``DASHBOARD_COLUMNS``) and keeps a
   copy beside it (``followup_kit.snapshot``); then a workshop day's changes are written
   (1,000 follow-ups, 500 interviews updated; not timed) and the dashboard opens again as
   its page does (``dashboard_inputs`` then ``coach_tables``: the copy and the changed
   rows, the analysis frame, every table; goal: <= 3 s), then the agenda the page works
   out on a second thread once the charts show, with each step also timed alone; then
   the whole page (its HTML and first chart too) in a fresh ``python -OO``, as a page
   kernel runs it, every import paid. Last,
   the same the way it was done before (every column row by row, every interview
   planned), with each way's peak memory.
   ``--no-store`` skips it; ``--store-only`` does only it; ``--store PATH`` keeps the
   store (writing a million interviews to SQLite through ``load_tables`` takes a few
   minutes and is not timed).

Each figure is the best of ``--repeat`` runs (wall clock), because other jobs on a shared
machine only ever add time. The DuckDB results are checked against ours before timing.

Run: ``.venv/bin/python benchmarks/analytics.py [--clients 50000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from followup_kit import analytics as an
from followup_kit import demo
from followup_kit.analysis import analysis_frame
from followup_kit.dashboard_data import coach_tables, dashboard_inputs
from followup_kit.evidence import rule_evidence
from followup_kit.rules import as_rules

TODAY = date(2026, 11, 2)
WINDOW = 30


def best_cpu(repeat: int, fn: Callable[[], object]) -> float:
    """Best CPU time (this process) over ``repeat`` runs: what other jobs cannot stretch."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
        del result  # freeing it is not the step's work
    return best


def cluster_cost(frame: pd.DataFrame, repeat: int) -> None:
    """Every dashboard table with Wilson intervals, then with the dashboard's own choice."""
    print("\nCluster-aware intervals (every dashboard table, one refresh)")
    wall_w, _ = best_of(repeat, lambda: coach_tables(frame, interval="wilson"))
    wall_c, tables = best_of(repeat, lambda: coach_tables(frame))
    cpu_w = best_cpu(repeat, lambda: coach_tables(frame, interval="wilson"))
    cpu_c = best_cpu(repeat, lambda: coach_tables(frame))
    kinds = sorted({t.attrs.get("interval") for t in tables.values() if "interval" in t.attrs})  # type: ignore[union-attr]
    print(f"  {'Wilson everywhere':<40} {wall_w * 1000:8.0f} ms wall {cpu_w * 1000:8.0f} ms CPU")
    print(f"  {'as the dashboard shows (' + ', '.join(kinds) + ')':<40} "
          f"{wall_c * 1000:8.0f} ms wall {cpu_c * 1000:8.0f} ms CPU")  # fmt: skip
    extra = cpu_c / cpu_w - 1
    verdict = "meets" if extra <= 0.20 else "MISSES"
    print(f"  {'added by the cluster intervals (CPU)':<40} {100 * extra:+7.0f} %   "
          f"-> {verdict} the goal of +20%")  # fmt: skip


def _peak_mib(fn: Callable[[], object]) -> float:
    """Peak memory (MiB) that ``fn`` allocates, as tracemalloc sees it (NumPy included)."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _open_dashboard_before(wb, rules) -> Callable[[], object]:  # noqa: ANN001
    """How the dashboard opened before: every column of every table, row by row, and
    every interview planned for the agenda."""
    from followup_kit import agenda as agenda_module
    from followup_kit.reading import FRAME_TABLES

    def run() -> object:
        with wb.db.read() as conn:
            data = {name: wb.db.plain_frame(conn, name) for name in FRAME_TABLES}
        frame = analysis_frame(data, today=TODAY)
        coach_tables(frame, rules=rules)
        keep = agenda_module._may_have_open_steps
        agenda_module._may_have_open_steps = lambda tables, *_: tables
        try:
            return agenda_module.build_agenda(data, today=TODAY, rules=rules)
        finally:
            agenda_module._may_have_open_steps = keep

    return run


def from_store(tables: dict[str, pd.DataFrame] | None, repeat: int, path: str | None) -> None:
    """Open the dashboard from a SQLite store: read once, frame, every table, the agenda.

    ``path`` names a store to use (kept); without it the cohort is written to a
    temporary one first (not timed). Both the way the dashboard opened before and the
    way it opens now are timed, step by step, with their peak memory.
    """
    import tempfile
    from pathlib import Path

    from followup_kit import open_workbook
    from followup_kit.agenda import build_agenda
    from followup_kit.reading import DASHBOARD_COLUMNS
    from followup_kit.snapshot import snapshot_path

    print("\nOpening the dashboard from the store (SQLite), as the coach does")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(path) if path else Path(tmp) / "million.sqlite"
        fresh = not store.exists()
        with open_workbook(store, today=TODAY) as wb:
            if fresh:
                if tables is None:
                    tables = demo.generate(n_clients=50_000, seed=7)
                start = time.perf_counter()
                wb.load_tables(tables, progress=False)
                print(f"  {'store the cohort (not timed)':<40} "
                      f"{time.perf_counter() - start:8.0f} s")  # fmt: skip
            n = int(wb.counts()["interviews"])
            print(f"  {n:,} interviews in {store.name}")
            rules = wb.rules
            state: dict[str, object] = {}

            def read() -> object:
                return wb.tables(columns=DASHBOARD_COLUMNS)

            # The first open reads the store whole and keeps the copy beside it.
            copy = snapshot_path(store)
            copy.unlink(missing_ok=True)
            start, cpu = time.perf_counter(), time.process_time()
            state["data"] = read()
            print(f"  {'first read, no copy yet (writes it)':<40} "
                  f"{(time.perf_counter() - start) * 1000:8.0f} ms wall "
                  f"{(time.process_time() - cpu) * 1000:8.0f} ms CPU; "
                  f"copy {copy.stat().st_size / 2**20:.0f} MiB")  # fmt: skip
            changed = a_days_changes(wb)
            print(f"  then a workshop day's changes: {changed}")

            def frame() -> object:
                return analysis_frame(state["data"], today=TODAY)  # type: ignore[arg-type]

            # Each step's result is kept for the next (``state``); a run's result is let go
            # only after it is timed, so no timing counts freeing the run before.
            steps: dict[str, Callable[[], object]] = {
                "read: the copy, and what changed": read,
                "analysis_frame": frame,
                "every dashboard table": lambda: coach_tables(state["frame"], rules=rules),  # type: ignore[arg-type]
                "agenda (from the same tables)": lambda: build_agenda(
                    state["data"],
                    today=TODAY,
                    rules=rules,  # type: ignore[arg-type]
                ),
            }
            print("  where the time goes, one step after another:")
            total = total_cpu = 0.0
            for (name, fn), key in zip(steps.items(), ("data", "frame", None, None), strict=True):
                t, result = best_of(repeat, fn)
                if key:
                    state[key] = result
                del result
                c = best_cpu(repeat, fn)
                total += t
                total_cpu += c
                print(f"    {name:<38} {t * 1000:8.0f} ms wall {c * 1000:8.0f} ms CPU")
            print(f"    {'sum':<38} {total * 1000:8.0f} ms wall {total_cpu * 1000:8.0f} ms CPU")

            # As the page does: read, frame and every table, then the agenda on a second
            # thread while the coach already looks at the charts (timed after them here).
            state.clear()
            opened = agenda_after = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                inputs = dashboard_inputs(wb, today=TODAY)
                tables = coach_tables(inputs.frame, rules=inputs.rules)
                shown = time.perf_counter()
                inputs.agenda  # noqa: B018 - worked out when first asked for
                opened = min(opened, shown - start)
                agenda_after = min(agenda_after, time.perf_counter() - shown)
                del inputs, tables
            verdict = "meets" if opened <= 3.0 else "MISSES"
            print(f"  {'OPEN THE DASHBOARD as the page does':<40} {opened * 1000:8.0f} ms wall "
                  f"(read, frame, every table) -> {verdict} the goal of 3000 ms")  # fmt: skip
            print(f"  {'  then its agenda, shown when ready':<40} {agenda_after * 1000:8.0f} ms "
                  "later (worked out on a second thread)")  # fmt: skip

            print(f"  {'the page in a fresh kernel':<40} {_fresh_kernel_page(store)}")

            def now() -> object:
                data = wb.tables(columns=DASHBOARD_COLUMNS)
                coach_tables(analysis_frame(data, today=TODAY), rules=rules)
                return build_agenda(data, today=TODAY, rules=rules)

            before = _open_dashboard_before(wb, rules)
            t_before, _ = best_of(repeat, before)
            c_before = best_cpu(repeat, before)
            print(f"  {'TOTAL before (all columns, every plan)':<40} "
                  f"{t_before * 1000:8.0f} ms wall "
                  f"{c_before * 1000:8.0f} ms CPU")  # fmt: skip
            print(f"  {'peak memory, now / before':<40} {_peak_mib(now):8.0f} / "
                  f"{_peak_mib(before):.0f} MiB (tracemalloc)")  # fmt: skip


_FRESH_PAGE = """
import sys, time
start = time.perf_counter()
import followup_kit as fk
from followup_kit.widgets.dashboard import coach_dashboard
wb = fk.open_workbook(sys.argv[1], today=sys.argv[2])
dash = coach_dashboard(wb)
shown = time.perf_counter()
dash.wait_for_agenda()
print(f"{shown - start:.1f} s to the charts and tables, imports included; the agenda "
      f"{time.perf_counter() - shown:.1f} s later")
"""


def _fresh_kernel_page(store: object) -> str:
    """The whole page (``coach_dashboard``: its HTML and first chart too) in a new Python
    as a page kernel runs (``-OO``), so every import is paid: the coach's first look."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-OO", "-c", _FRESH_PAGE, str(store), TODAY.isoformat()],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def a_days_changes(wb, follow_ups: int = 1_000, updates: int = 500) -> str:  # noqa: ANN001
    """What a busy workshop day writes after the coach last looked (not timed): follow-ups
    logged for the newest interviews, and interviews whose status changed."""
    newest = wb.interviews()["id"].to_numpy()[-(follow_ups + updates) :]
    for interview in newest[:follow_ups]:
        wb.log_follow_up(int(interview), kind="status_check", channel="email", sent_on=TODAY)
    for interview in newest[follow_ups:]:
        wb.update_interview(int(interview), status="rejected")
    return f"{follow_ups:,} follow-ups logged, {updates:,} interviews updated"


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    """Best wall time over ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None  # the run before is let go before the clock starts
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


# -- ours --------------------------------------------------------------------------------


def our_tables(frame: pd.DataFrame) -> dict[str, Callable[[], object]]:
    """Every table the coach dashboard (notebook 05) computes, by name."""
    return {
        "rates by thank-you timing": lambda: an.response_rates(frame, "thank_you_timing"),
        "rates by status-check timing": lambda: an.response_rates(frame, "status_check_timing"),
        "rates by channel": lambda: an.response_rates(frame, "thank_you_channel"),
        "rates by script": lambda: an.response_rates(frame, "script_id"),
        "rates by script version": lambda: an.by_script(frame),
        "rates by round": lambda: an.response_rates(frame, "round"),
        "funnel": lambda: an.funnel(frame),
        "time to reply (Kaplan-Meier summary)": lambda: an.time_to_response(
            frame, "thank_you_timing"
        ),
        "time to reply (curves)": lambda: an.response_curves(frame, "thank_you_timing"),
        "by client": lambda: an.by_client(frame),
        "evidence beside each rule": lambda: rule_evidence(frame),
    }


# -- DuckDB --------------------------------------------------------------------------------

_ANALYSIS_SQL = """
CREATE OR REPLACE TEMP TABLE af AS
WITH
fu AS (SELECT * FROM follow_ups WHERE sent_on <= DATE '{today}'),
keyed AS (  -- day and id packed into one sortable number: earliest, ties by log order
    SELECT interview_id, kind, channel, sent_on,
           date_diff('day', DATE '1970-01-01', sent_on) * CAST(10000000000 AS BIGINT) + id AS k
    FROM fu
),
firsts AS (
    SELECT interview_id,
        min(sent_on) FILTER (WHERE kind = 'thank_you') AS ty_day,
        arg_min(channel, k) FILTER (WHERE kind = 'thank_you') AS ty_channel,
        min(sent_on) FILTER (WHERE kind = 'status_check') AS sc_day,
        arg_min(channel, k) FILTER (WHERE kind = 'status_check') AS sc_channel,
        min(k, 2) FILTER (WHERE kind = 'status_check') AS sc_keys,
        count(*) AS n_follow_ups,
        count(*) FILTER (WHERE kind = 'status_check') AS n_status_checks
    FROM keyed GROUP BY interview_id
),
rs AS (
    SELECT interview_id, min(received_on) AS resp_day,
           arg_min(result, received_on) AS first_result,
           bool_or(result IN ('next_round', 'offer')) AS good
    FROM responses WHERE received_on <= DATE '{today}' GROUP BY interview_id
),
sid AS (  -- scripts as bits, in name order, as ours does
    SELECT script_id, CAST(row_number() OVER (ORDER BY script_id) - 1 AS BIGINT) AS bit
    FROM (SELECT DISTINCT script_id FROM fu WHERE script_id IS NOT NULL)
),
sver AS (
    SELECT script_id, script_version,
           script_id || ' v' || coalesce(script_version, '?') AS label,
           CAST(row_number() OVER (ORDER BY script_id || ' v' || coalesce(script_version, '?'))
                - 1 AS BIGINT) AS bit
    FROM (SELECT DISTINCT script_id, script_version FROM fu WHERE script_id IS NOT NULL)
),
masks AS (
    SELECT f.interview_id,
        bit_or(CAST(1 AS BIGINT) << s.bit) AS all_mask,
        bit_or(CAST(1 AS BIGINT) << s.bit)
            FILTER (WHERE r.resp_day IS NULL OR f.sent_on < r.resp_day) AS before_mask,
        bit_or(CAST(1 AS BIGINT) << v.bit)
            FILTER (WHERE r.resp_day IS NULL OR f.sent_on < r.resp_day) AS version_mask
    FROM fu f
    JOIN sid s ON s.script_id = f.script_id
    JOIN sver v ON v.script_id = f.script_id
        AND v.script_version IS NOT DISTINCT FROM f.script_version
    LEFT JOIN rs r ON r.interview_id = f.interview_id
    GROUP BY f.interview_id
),
names AS (  -- only the few distinct sets become text
    SELECT m, string_agg(s.script_id, ', ' ORDER BY s.script_id) AS text
    FROM (SELECT DISTINCT all_mask AS m FROM masks
          UNION SELECT DISTINCT before_mask FROM masks) u
    JOIN sid s ON (u.m >> s.bit) & 1 = 1 GROUP BY m
),
vnames AS (
    SELECT m, string_agg(v.label, ', ' ORDER BY v.label) AS text
    FROM (SELECT DISTINCT version_mask AS m FROM masks) u
    JOIN sver v ON (u.m >> v.bit) & 1 = 1 GROUP BY m
),
scripts AS (
    SELECT k.interview_id, k.before_mask, k.version_mask, a.text AS script_ids,
           b.text AS scripts_before_reply, c.text AS versions_before_reply
    FROM masks k
    LEFT JOIN names a ON a.m = k.all_mask
    LEFT JOIN names b ON b.m = k.before_mask
    LEFT JOIN vnames c ON c.m = k.version_mask
),
base AS (
    SELECT i.id AS interview_id, i.client_id, c.name AS client, c.cohort,
           coalesce(c.country, 'US') AS country, i.round, i.interview_date,
           i.decision_expected, i.status,
           date_diff('day', i.interview_date, DATE '{today}') AS age_days,
           f.ty_day, f.ty_channel, f.sc_day, f.sc_channel,
           DATE '1970-01-01' + CAST(f.sc_keys[2] // 10000000000 AS INTEGER) AS sc2_day,
           coalesce(f.n_follow_ups, 0) AS n_follow_ups,
           coalesce(f.n_status_checks, 0) AS n_status_checks,
           r.resp_day, r.first_result, coalesce(r.good, false) AS good,
           s.script_ids, s.scripts_before_reply, s.versions_before_reply,
           s.before_mask, s.version_mask
    FROM interviews i
    LEFT JOIN clients c ON c.id = i.client_id
    LEFT JOIN firsts f ON f.interview_id = i.id
    LEFT JOIN rs r ON r.interview_id = i.id
    LEFT JOIN scripts s ON s.interview_id = i.id
)
SELECT b.*,
    date_diff('day', b.interview_date, b.ty_day) AS thank_you_delay_days,
    bt.cum - bi.cum AS thank_you_delay_bdays,
    date_diff('day', b.interview_date, b.sc_day) AS status_check_delay_days,
    bs.cum - bi.cum AS status_check_delay_bdays,
    bs.cum - bd.cum AS status_check_after_decision_bdays,
    bd.cum - bi.cum AS decision_bdays,
    b2.cum - bs.cum AS second_follow_up_gap_bdays,
    date_diff('day', b.interview_date, b.resp_day) AS days_to_response,
    br.cum - bi.cum AS bdays_to_response,
    coalesce(date_diff('day', b.interview_date, b.resp_day) <= {window}, false) AS responded,
    NOT coalesce(date_diff('day', b.interview_date, b.resp_day) <= {window}, false)
        AND b.age_days <= {window} AS pending,
    b.good OR b.status IN ('next_round', 'offer') AS reached_next_round_or_offer,
    CASE
        WHEN b.ty_day IS NULL THEN 'none'
        WHEN date_diff('day', b.interview_date, b.ty_day) <= 0 THEN 'same day'
        WHEN date_diff('day', b.interview_date, b.ty_day) = 1 THEN '1 day'
        WHEN date_diff('day', b.interview_date, b.ty_day) <= 3 THEN '2-3 days'
        WHEN date_diff('day', b.interview_date, b.ty_day) <= 7 THEN '4-7 days'
        ELSE '8+ days' END AS thank_you_timing,
    CASE
        WHEN b.sc_day IS NULL THEN 'none'
        WHEN date_diff('day', b.interview_date, b.sc_day) <= 3 THEN '0-3 days'
        WHEN date_diff('day', b.interview_date, b.sc_day) <= 7 THEN '4-7 days'
        WHEN date_diff('day', b.interview_date, b.sc_day) <= 14 THEN '8-14 days'
        ELSE '15+ days' END AS status_check_timing
FROM base b
LEFT JOIN bcal bi ON bi.country = b.country AND bi.day = b.interview_date
LEFT JOIN bcal bt ON bt.country = b.country AND bt.day = b.ty_day
LEFT JOIN bcal bs ON bs.country = b.country AND bs.day = b.sc_day
LEFT JOIN bcal b2 ON b2.country = b.country AND b2.day = b.sc2_day
LEFT JOIN bcal br ON br.country = b.country AND br.day = b.resp_day
LEFT JOIN bcal bd ON bd.country = b.country AND bd.day = b.decision_expected
"""

_CALENDAR_SQL = """
CREATE OR REPLACE TEMP TABLE bcal AS
WITH days AS (
    SELECT c.country, CAST(t.d AS DATE) AS day
    FROM (SELECT DISTINCT coalesce(country, 'US') AS country FROM clients) c,
         range(DATE '{lo}', DATE '{hi}', INTERVAL 1 DAY) t(d)
)
SELECT days.country, days.day,
       sum(CASE WHEN dayofweek(days.day) IN (0, 6) OR h.day IS NOT NULL THEN 0 ELSE 1 END)
           OVER (PARTITION BY days.country ORDER BY days.day) AS cum
FROM days LEFT JOIN hol h ON h.country = days.country AND h.day = days.day
"""

_WILSON = """
    count(*) FILTER (WHERE NOT pending) AS n,
    count(*) FILTER (WHERE responded AND NOT pending) AS responded,
    count(*) FILTER (WHERE pending) AS pending
"""


def _rates_sql(group: str, source: str = "af") -> str:
    """Rates with 95% Wilson bounds written out in SQL."""
    return f"""
    WITH c AS (SELECT {group} AS grp, {_WILSON} FROM {source} GROUP BY ALL),
    p AS (SELECT *, responded / nullif(n, 0) AS rate, 1.959963984540054 AS z FROM c)
    SELECT grp, n, responded, rate,
        (rate + z * z / (2 * n) - z * sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)))
            / (1 + z * z / n) AS ci_low,
        (rate + z * z / (2 * n) + z * sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)))
            / (1 + z * z / n) AS ci_high,
        pending
    FROM p ORDER BY grp
    """


def duck_queries() -> dict[str, str]:
    """The same dashboard tables as SQL over the ``af`` table."""
    # An interview counts once for each script in its set: join the set's bits.
    exploded = """(SELECT coalesce(x.{label}, 'none') AS grp, af.pending, af.responded
                   FROM af LEFT JOIN {table} x ON (af.{mask} >> x.bit) & 1 = 1)"""
    return {
        "rates by thank-you timing": _rates_sql("thank_you_timing"),
        "rates by status-check timing": _rates_sql("status_check_timing"),
        "rates by channel": _rates_sql("coalesce(CAST(ty_channel AS VARCHAR), 'none')"),
        "rates by script": _rates_sql(
            "grp", exploded.format(label="script_id", table="bits", mask="before_mask")
        ),
        "rates by script version": _rates_sql(
            "grp", exploded.format(label="label", table="vbits", mask="version_mask")
        ),
        "rates by round": _rates_sql("round"),
        "funnel": """
            SELECT count(*) AS interviews, count(ty_day) AS thank_you, count(sc_day) AS checks,
                   count(*) FILTER (WHERE responded) AS replies,
                   count(*) FILTER (WHERE reached_next_round_or_offer) AS good
            FROM af WHERE NOT pending""",
        "time to reply (Kaplan-Meier summary)": """
            WITH d AS (
                SELECT thank_you_timing AS g,
                       coalesce(days_to_response, age_days) AS t,
                       days_to_response IS NOT NULL AS e
                FROM af WHERE coalesce(days_to_response, age_days) >= 0),
            ev AS (SELECT g, t, count(*) FILTER (WHERE e) AS d, count(*) AS m
                   FROM d GROUP BY g, t),
            r AS (SELECT g, t, d,
                         sum(m) OVER (PARTITION BY g ORDER BY t DESC) AS at_risk FROM ev),
            s AS (SELECT g, t, exp(sum(CASE WHEN d < at_risk THEN ln(1 - d / at_risk)
                                             ELSE -1e9 END)
                                   OVER (PARTITION BY g ORDER BY t)) AS surv
                  FROM r WHERE d > 0)
            SELECT g, min(t) FILTER (WHERE surv <= 0.5) AS median_days,
                   1 - min(surv) FILTER (WHERE t <= 30) AS replied_by_window
            FROM s GROUP BY g ORDER BY g""",
        "time to reply (curves)": """
            WITH d AS (
                SELECT thank_you_timing AS g,
                       coalesce(days_to_response, age_days) AS t,
                       days_to_response IS NOT NULL AS e
                FROM af WHERE coalesce(days_to_response, age_days) >= 0),
            ev AS (SELECT g, t, count(*) FILTER (WHERE e) AS d, count(*) AS m
                   FROM d GROUP BY g, t),
            r AS (SELECT g, t, d, sum(m) OVER (PARTITION BY g ORDER BY t DESC) AS at_risk
                  FROM ev)
            SELECT g, t, at_risk,
                   1 - exp(sum(CASE WHEN d < at_risk THEN ln(1 - d / at_risk) ELSE -1e9 END)
                           OVER (PARTITION BY g ORDER BY t)) AS replied,
                   sum(d / (at_risk * greatest(at_risk - d, 1)))
                       OVER (PARTITION BY g ORDER BY t) AS greenwood
            FROM r WHERE d > 0 ORDER BY g, t""",
        "by client": """
            SELECT client_id, any_value(client), any_value(cohort), count(*) AS interviews,
                   count(*) FILTER (WHERE NOT pending) AS n,
                   count(*) FILTER (WHERE responded AND NOT pending) AS responded,
                   count(ty_day) / count(*) AS thank_you_sent,
                   median(thank_you_delay_days) AS median_thank_you_days,
                   count(*) FILTER (WHERE reached_next_round_or_offer) AS good,
                   max(interview_date) AS last_interview
            FROM af GROUP BY client_id ORDER BY client_id""",
        "evidence beside each rule": """
            SELECT rule, followed, count(*) AS n, count(*) FILTER (WHERE responded) AS replied,
                   count(DISTINCT client_id) AS clients
            FROM (
                SELECT 'thank_you' AS rule,
                       coalesce(thank_you_delay_bdays <= {thank_you_due}, false)
                       AS followed, responded, client_id FROM af WHERE NOT pending
                UNION ALL
                SELECT 'status_check', coalesce(status_check_delay_bdays
                       BETWEEN {status_check_start} AND {status_check_due}, false),
                       responded, client_id FROM af
                WHERE NOT pending AND decision_expected IS NULL
                  AND NOT coalesce(bdays_to_response < {status_check_start}, false)
                UNION ALL
                SELECT 'decision', coalesce(status_check_after_decision_bdays BETWEEN
                       {status_check_after_decision_start} AND
                       {status_check_after_decision_due}, false), responded, client_id FROM af
                WHERE NOT pending AND decision_expected IS NOT NULL
                  AND NOT coalesce(bdays_to_response
                                   < decision_bdays + {status_check_after_decision_start}, false)
                UNION ALL
                SELECT 'second', second_follow_up_gap_bdays >= {second_follow_up_start},
                       responded, client_id FROM af
                WHERE NOT pending AND second_follow_up_gap_bdays IS NOT NULL
                  AND NOT coalesce(resp_day < sc2_day, false)
                UNION ALL
                SELECT 'channel', CAST(ty_channel AS VARCHAR) = 'email', responded, client_id
                FROM af WHERE NOT pending AND ty_day IS NOT NULL
            ) GROUP BY ALL ORDER BY ALL""".format(**as_rules(None)),  # the shipped rules
    }


def duck_setup(tables: dict[str, pd.DataFrame]):
    """Load the cohort into DuckDB tables (not timed: a database would already hold it)."""
    import duckdb
    import holidays

    con = duckdb.connect()
    wanted = {
        "clients": ["id", "name", "cohort", "country"],
        "interviews": ["id", "client_id", "round", "interview_date", "decision_expected", "status"],
        "follow_ups": ["id", "interview_id", "kind", "channel", "sent_on", "script_id",
                       "script_version"],
        "responses": ["id", "interview_id", "received_on", "result"],
    }  # fmt: skip
    for name, cols in wanted.items():
        df = tables[name][cols].copy()
        for c in df.columns:  # plain dtypes, so DuckDB gets DATE, VARCHAR and BIGINT
            if str(df[c].dtype).startswith("datetime"):
                df[c] = df[c].dt.date
            elif isinstance(df[c].dtype, pd.CategoricalDtype) or df[c].dtype == "string":
                df[c] = df[c].astype(object).where(df[c].notna(), None)
            elif str(df[c].dtype) == "Int64":
                df[c] = df[c].astype("float64").astype("int64")
        con.register("tmp_df", df)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM tmp_df")
        con.unregister("tmp_df")
    for c in ("interview_date", "decision_expected"):
        con.execute(f"ALTER TABLE interviews ALTER {c} TYPE DATE")
    con.execute("ALTER TABLE follow_ups ALTER sent_on TYPE DATE")
    con.execute("ALTER TABLE responses ALTER received_on TYPE DATE")
    countries = sorted(tables["clients"]["country"].dropna().unique())
    lo = pd.Timestamp(tables["interviews"]["interview_date"].min()).year - 1
    hi = TODAY.year + 2
    hol = pd.DataFrame(
        [
            (str(c), d)
            for c in countries
            for d in holidays.country_holidays(str(c), years=range(lo, hi + 1))
        ],
        columns=["country", "day"],
    )
    con.register("hol_df", hol)
    con.execute("CREATE TABLE hol AS SELECT country, CAST(day AS DATE) AS day FROM hol_df")
    return con, f"{lo}-01-01", f"{hi}-12-31"


_BITS_SQL = """
CREATE OR REPLACE TEMP TABLE bits AS
    SELECT script_id, CAST(row_number() OVER (ORDER BY script_id) - 1 AS BIGINT) AS bit
    FROM (SELECT DISTINCT script_id FROM follow_ups
          WHERE script_id IS NOT NULL AND sent_on <= DATE '{today}');
CREATE OR REPLACE TEMP TABLE vbits AS
    SELECT label, CAST(row_number() OVER (ORDER BY label) - 1 AS BIGINT) AS bit
    FROM (SELECT DISTINCT script_id || ' v' || coalesce(script_version, '?') AS label
          FROM follow_ups WHERE script_id IS NOT NULL AND sent_on <= DATE '{today}');
"""


def duck_frame(con, lo: str, hi: str) -> None:
    """Calendar, analysis table and the script-bit tables (the analysis_frame's work)."""
    con.execute(_CALENDAR_SQL.format(lo=lo, hi=hi))
    con.execute(_ANALYSIS_SQL.format(today=TODAY.isoformat(), window=WINDOW))
    con.execute(_BITS_SQL.format(today=TODAY.isoformat()))


def duck_run(con, lo: str, hi: str) -> dict[str, pd.DataFrame]:
    """The DuckDB side of the timed work: analysis table, then every dashboard table."""
    duck_frame(con, lo, hi)
    return {name: con.execute(sql).df() for name, sql in duck_queries().items()}


def check_agreement(frame: pd.DataFrame, duck: dict[str, pd.DataFrame], con) -> list[str]:
    """Compare key numbers of both implementations; return what differs (empty: all agree)."""
    problems = []
    ours = an.response_rates(frame, "thank_you_timing")
    theirs = duck["rates by thank-you timing"].set_index("grp")
    for g in ours.index:
        if g in theirs.index:
            if (ours.loc[g, "n"], ours.loc[g, "responded"]) != (
                theirs.loc[g, "n"],
                theirs.loc[g, "responded"],
            ):
                problems.append(f"thank-you bucket {g}")
            if not np.isclose(ours.loc[g, "ci_low"], theirs.loc[g, "ci_low"]):
                problems.append(f"Wilson bound for {g}")
    f = an.funnel(frame)["count"].tolist()
    if f != duck["funnel"].iloc[0].astype(int).tolist():
        problems.append(f"funnel {f} vs {duck['funnel'].iloc[0].tolist()}")
    s_ours = an.response_rates(frame, "script_id")["n"]
    s_duck = duck["rates by script"].set_index("grp")["n"]
    if not s_ours.sort_index().equals(s_duck.sort_index().astype("int64")):
        problems.append("script counts")
    counts = con.execute(
        "SELECT count(thank_you_delay_bdays), sum(thank_you_delay_bdays), "
        "sum(status_check_delay_bdays), sum(bdays_to_response), sum(decision_bdays) FROM af"
    ).fetchone()
    mine = (
        frame["thank_you_delay_bdays"].count(),
        frame["thank_you_delay_bdays"].sum(),
        frame["status_check_delay_bdays"].sum(),
        frame["bdays_to_response"].sum(),
        frame["decision_bdays"].sum(),
    )
    if tuple(int(x) for x in counts) != tuple(int(x) for x in mine):
        problems.append(f"business days {mine} vs {counts}")
    km = an.time_to_response(frame, "thank_you_timing")["replied_by_window"]
    duck_km = duck["time to reply (Kaplan-Meier summary)"].set_index("g")["replied_by_window"]
    if not np.allclose(km.sort_index(), duck_km.sort_index()):
        problems.append("Kaplan-Meier share by day 30")
    rules = rule_evidence(frame)
    ev = duck["evidence beside each rule"].set_index(["rule", "followed"])
    pairs = {"thank_you": "thank_you_due", "status_check": "status_check_start",
             "decision": "status_check_after_decision_start", "channel": "channel"}  # fmt: skip
    for duck_rule, our_rule in pairs.items():
        if int(ev.loc[(duck_rule, True), "n"]) != int(rules.loc[our_rule, "n_followed"]):
            problems.append(f"rule {our_rule}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-store", action="store_true", help="skip the store section")
    parser.add_argument(
        "--store-only", action="store_true", help="only the store section (sections 1-3 skipped)"
    )
    parser.add_argument("--store", help="a SQLite store to use (written first if missing)")
    args = parser.parse_args()
    if args.store_only:
        from_store(None, args.repeat, args.store)
        return

    import duckdb

    print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
          f"(other jobs add time; figures are the best of {args.repeat} runs).")  # fmt: skip
    start = time.perf_counter()
    tables = demo.generate(n_clients=args.clients, seed=7)
    print(
        f"Cohort: {len(tables['clients']):,} clients, {len(tables['interviews']):,} interviews, "
        f"{len(tables['follow_ups']):,} follow-ups, {len(tables['responses']):,} replies "
        f"(generated in {time.perf_counter() - start:.1f} s, not timed)."
    )
    # Warm up imports (statsmodels, scipy, holidays) on a small cohort, so neither side
    # pays a one-off import in its figures.
    small = analysis_frame(demo.generate(n_clients=20, seed=1), today=TODAY)
    for fn in our_tables(small).values():
        fn()

    print("\nOurs (pandas/numpy, one core)")
    t_frame, frame = best_of(args.repeat, lambda: analysis_frame(tables, today=TODAY))
    print(f"  {'analysis_frame':<40} {t_frame * 1000:8.0f} ms")
    for name, fn in our_tables(frame).items():
        t, _ = best_of(args.repeat, fn)
        print(f"  {name:<40} {t * 1000:8.0f} ms")
    # One dashboard refresh computes all of the above together (sharing one Kaplan-Meier
    # fit between the summary and the curves): that is the figure that counts.
    t_tables, _ = best_of(args.repeat, lambda: coach_tables(frame))
    ours = t_frame + t_tables
    print(f"  {'all dashboard tables (one refresh)':<40} {t_tables * 1000:8.0f} ms")
    verdict = "meets" if ours <= 2.0 else "MISSES"
    print(f"  {'TOTAL (goal <= 2000 ms)':<40} {ours * 1000:8.0f} ms  -> {verdict} the goal")

    print(f"\nDuckDB {duckdb.__version__} ({os.cpu_count()} threads), same data in DuckDB tables")
    start = time.perf_counter()
    con, lo, hi = duck_setup(tables)
    print(f"  {'load into DuckDB (not timed)':<40} {(time.perf_counter() - start) * 1000:8.0f} ms")
    duck_run(con, lo, hi)  # warm up
    t_duck_frame, _ = best_of(args.repeat, lambda: duck_frame(con, lo, hi))
    print(f"  {'calendar + analysis table':<40} {t_duck_frame * 1000:8.0f} ms")
    t_duck_tables = 0.0
    results = {}
    for name, sql in duck_queries().items():
        t, results[name] = best_of(args.repeat, lambda sql=sql: con.execute(sql).df())
        t_duck_tables += t
        print(f"  {name:<40} {t * 1000:8.0f} ms")
    duck = t_duck_frame + t_duck_tables
    print(f"  {'all dashboard tables':<40} {t_duck_tables * 1000:8.0f} ms")
    print(f"  {'TOTAL':<40} {duck * 1000:8.0f} ms")

    problems = check_agreement(frame, results, con)
    print("\nResults agree with ours: " + ("yes" if not problems else "NO: " + "; ".join(problems)))
    ratio = ours / duck
    verdict = "meets" if ratio <= 2.0 else "MISSES"
    print(f"Ratio ours / DuckDB: {ratio:.2f}x (goal <= 2x) -> {verdict} the goal")
    con.close()

    cluster_cost(frame, args.repeat)
    if not args.no_store:
        from_store(tables, args.repeat, args.store)


if __name__ == "__main__":
    main()
