"""The Follow-up Workbook's helper package: store, timing rules, scripts, tone, analytics.

Notebooks import from here only. Every public name is listed in ``__all__``; each line
below re-exports one module's own ``__all__``.
"""

from . import actions, exceptions  # noqa: F401 - fk.actions for scripts
from .actions import (
    call_outcome,
    close_as_ghosted,
    kind_for_step,
    log_call,
    log_from_script,
    log_step_sent,
    next_follow_up_number,
    skip_plan_step,
    undo_skip,
)
from .analytics import *  # noqa: F403
from .analytics import __all__ as _analytics_all
from .dashboard_data import *  # noqa: F403
from .dashboard_data import __all__ as _dashboard_data_all
from .exceptions import *  # noqa: F403
from .formatting import escape_html
from .library import *  # noqa: F403
from .library import __all__ as _library_all
from .plots import *  # noqa: F403
from .plots import __all__ as _plots_all
from .report import *  # noqa: F403
from .report import __all__ as _report_all
from .schema import CHOICES, STEPS, TABLES, choice_label, format_day
from .store import *  # noqa: F403
from .store import __all__ as _store_all
from .timing import *  # noqa: F403
from .timing import __all__ as _timing_all
from .tone import *  # noqa: F403
from .tone import __all__ as _tone_all
from .widgets import *  # noqa: F403
from .widgets import __all__ as _widgets_all

__all__ = [
    *exceptions.__all__,
    "CHOICES",
    "STEPS",
    "TABLES",
    "choice_label",
    "format_day",
    "escape_html",
    "call_outcome",
    "close_as_ghosted",
    "kind_for_step",
    "log_call",
    "log_from_script",
    "log_step_sent",
    "next_follow_up_number",
    "skip_plan_step",
    "undo_skip",
    *_store_all,
    *_library_all,
    *_timing_all,
    *_tone_all,
    *_analytics_all,
    *_plots_all,
    *_report_all,
    *_dashboard_data_all,
    *_widgets_all,
]
__version__ = "0.1.0"
