"""The Follow-up Workbook's helper package: store, timing rules, scripts, tone, analytics.

Notebooks and users import from here only: ``import followup_kit as fk``. The names in
``__all__`` are what they call; everything else stays importable from its own module
(``from followup_kit.plans import plan_for_interview``).

Importing the package is cheap: each name is looked up in its module on first use, so
a script that only opens the store never loads ipywidgets, matplotlib or statsmodels.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

__version__ = "0.1.0"

#: Where each public name lives, by module (relative to the package).
_HOMES: dict[str, tuple[str, ...]] = {
    "exceptions": (
        "FollowupKitError",
        "Problem",
        "ValidationError",
        "NotFoundError",
        "NotYoursError",
        "BadFileError",
        "StoreError",
        "TemplateError",
        "AnalyticsError",
    ),
    "store": ("Workbook", "open_workbook"),
    "dates": ("format_day",),
    "rules": ("load_rules",),
    "plans": ("plan_follow_ups", "plan_in_words"),
    "library": ("scripts", "suggest_scripts", "render_script", "guide"),
    "templates": ("render_script_text", "context_for"),
    "messages": ("mailto",),
    "tone": ("check_tone", "tone_table"),
    "analysis": ("analysis_frame",),
    "analytics": (
        "response_rates",
        "time_to_response",
        "response_curves",
        "by_script",
        "filter_frame",
    ),
    "adjusted": ("adjusted_compare",),
    "mapping": ("suggest_mapping",),
    "comparison": ("compare",),
    "evidence": ("rule_evidence",),
    "workshop": ("workshop_table",),
    "dashboard_data": ("workshop_tables", "plain_table", "agenda_counts"),
    "plots": (
        "plot_response_rates",
        "plot_thank_you_timing",
        "plot_time_to_response",
        "plot_adjusted",
    ),
    "report": ("coach_report",),
    "widgets.start": ("start_here", "store_summary", "demo_loader"),
    "widgets.importer": ("guided_import",),
    "widgets.interview_form": ("interview_form",),
    "widgets.plan": ("plan_view", "plan_table"),
    "widgets.practice": ("practice_page",),
    "widgets.record_form": ("record_form",),
    "widgets.dashboard": ("coach_dashboard", "workshop_view"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [name for names in _HOMES.values() for name in names]


def __getattr__(name: str) -> Any:
    """Load a public name (or a sub-module such as ``fk.actions``) on first use."""
    module = _MODULE_OF.get(name)
    if module is not None:
        value = getattr(import_module(f".{module}", __name__), name)
        globals()[name] = value  # found once; later look-ups skip this function
        return value
    if find_spec(f"{__name__}.{name}") is not None:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
