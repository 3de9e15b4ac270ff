"""Moved: split into rules, business_days, plans, agenda and calendar_export (temporary)."""

from .agenda import AGENDA_GROUPS, build_agenda  # moved: agenda
from .business_days import (  # moved: business_days
    SUPPORTED_COUNTRIES,  # moved: business_days
    business_day_after,
    business_days_after,
    is_business_day,
)
from .calendar_export import calendar_bytes, write_ics  # moved: calendar_export
from .plans import STEP_KIND, STEP_STATES, plan_follow_ups, plan_for_interview  # moved: plans
from .rules import Rule, Rules, load_rules  # moved: rules

__all__ = [
    "AGENDA_GROUPS",
    "STEP_KIND",
    "STEP_STATES",
    "SUPPORTED_COUNTRIES",
    "Rule",
    "Rules",
    "build_agenda",
    "business_day_after",
    "business_days_after",
    "calendar_bytes",
    "is_business_day",
    "load_rules",
    "plan_follow_ups",
    "plan_for_interview",
    "write_ics",
]
