"""The user interface: ipywidgets forms and views for the notebooks (and nothing else).

Each module holds one job: :mod:`.interview_form`, :mod:`.record_form`, :mod:`.plan`,
:mod:`.editor`, :mod:`.call`, :mod:`.rehearsal`, :mod:`.start`, :mod:`.dashboard`; the
shared parts are in :mod:`.fields`, :mod:`.clients`, :mod:`.entries` and :mod:`._kit`.
Handlers write only through :mod:`followup_kit.actions`.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Where each name lives: a form loads only its own module (and what it imports), so a
#: client's page never loads the coach's dashboard, importer or editor.
_HOMES: dict[str, tuple[str, ...]] = {
    "_kit": ("Debouncer",),
    "call": (
        "CallCoach",
        "call_coach",
    ),
    "clients": (
        "ClientPicker",
        "client_picker",
    ),
    "dashboard": (
        "CoachDashboard",
        "WorkshopView",
        "coach_dashboard",
        "workshop_view",
    ),
    "editor": (
        "ScriptEditor",
        "script_editor",
        "tone_panel_html",
    ),
    "fields": (
        "LabelledField",
        "confirm_delete",
    ),
    "importer": (
        "GuidedImport",
        "guided_import",
    ),
    "interview_form": (
        "InterviewForm",
        "interview_form",
    ),
    "plan": (
        "SKIP_REASONS",
        "PlanForm",
        "ics_link",
        "interview_choices",
        "next_steps_html",
        "plan_table_html",
        "plan_view",
    ),
    "record_form": (
        "RecordForm",
        "record_form",
    ),
    "rehearsal": (
        "Rehearsal",
        "rehearsal",
    ),
    "start": (
        "DemoLoader",
        "StartHere",
        "demo_loader",
        "start_here",
        "store_summary",
    ),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import a widget (or a sub-module such as ``widgets.fields``) on first use."""
    module = _MODULE_OF.get(name)
    if module is None:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from err
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "SKIP_REASONS",
    "CallCoach",
    "ClientPicker",
    "CoachDashboard",
    "Debouncer",
    "DemoLoader",
    "GuidedImport",
    "InterviewForm",
    "LabelledField",
    "PlanForm",
    "RecordForm",
    "Rehearsal",
    "ScriptEditor",
    "StartHere",
    "WorkshopView",
    "call_coach",
    "client_picker",
    "coach_dashboard",
    "confirm_delete",
    "demo_loader",
    "ics_link",
    "guided_import",
    "interview_choices",
    "interview_form",
    "next_steps_html",
    "plan_table_html",
    "plan_view",
    "record_form",
    "rehearsal",
    "script_editor",
    "start_here",
    "store_summary",
    "tone_panel_html",
    "workshop_view",
]
