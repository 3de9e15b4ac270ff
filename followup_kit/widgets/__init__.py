"""The user interface: ipywidgets forms and views for the notebooks (and nothing else).

Each module holds one job: :mod:`.interview_form`, :mod:`.record_form`, :mod:`.plan`,
:mod:`.editor`, :mod:`.call`, :mod:`.rehearsal`, :mod:`.start`, :mod:`.dashboard`; the
shared parts are in :mod:`.fields`, :mod:`.clients`, :mod:`.entries` and :mod:`._kit`.
Handlers write only through :mod:`followup_kit.actions`.
"""

from __future__ import annotations

from ._kit import Debouncer
from .call import CallCoach, call_coach
from .clients import ClientPicker, client_picker
from .dashboard import CoachDashboard, WorkshopView, coach_dashboard, workshop_view
from .editor import ScriptEditor, script_editor, tone_panel_html
from .fields import LabelledField, confirm_delete
from .importer import GuidedImport, guided_import
from .interview_form import InterviewForm, interview_form
from .plan import (
    SKIP_REASONS,
    PlanForm,
    ics_link,
    interview_choices,
    next_steps_html,
    plan_table_html,
    plan_view,
)
from .practice import PracticePage, practice_page
from .record_form import RecordForm, record_form
from .rehearsal import Rehearsal, rehearsal
from .start import (
    DemoLoader,
    StartHere,
    demo_loader,
    start_here,
    store_summary,
)

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
    "PracticePage",
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
    "practice_page",
    "record_form",
    "rehearsal",
    "script_editor",
    "start_here",
    "store_summary",
    "tone_panel_html",
    "workshop_view",
]
