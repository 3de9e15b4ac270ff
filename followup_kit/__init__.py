"""The Follow-up Workbook's helper package: store, timing rules, scripts, tone, analytics.

Notebooks import from here only. Every public name is listed in ``__all__``; each line
below re-exports one module's own ``__all__``.
"""

from . import exceptions
from .analytics import *  # noqa: F403
from .analytics import __all__ as _analytics_all
from .dashboard import *  # noqa: F403
from .dashboard import __all__ as _dashboard_all
from .exceptions import *  # noqa: F403
from .forms import *  # noqa: F403
from .forms import __all__ as _forms_all
from .library import *  # noqa: F403
from .library import __all__ as _library_all
from .mapping import *  # noqa: F403
from .mapping import __all__ as _mapping_all
from .plan_form import *  # noqa: F403
from .plan_form import __all__ as _plan_form_all
from .plots import *  # noqa: F403
from .plots import __all__ as _plots_all
from .practice import *  # noqa: F403
from .practice import __all__ as _practice_all
from .report import *  # noqa: F403
from .report import __all__ as _report_all
from .schema import CHOICES, STEPS, TABLES, choice_label, format_day
from .store import *  # noqa: F403
from .store import __all__ as _store_all
from .timing import *  # noqa: F403
from .timing import __all__ as _timing_all
from .tone import *  # noqa: F403
from .tone import __all__ as _tone_all
from .widgets.importer import *  # noqa: F403
from .widgets.importer import __all__ as _importer_all

__all__ = [
    *exceptions.__all__,
    "CHOICES",
    "STEPS",
    "TABLES",
    "choice_label",
    "format_day",
    *_store_all,
    *_forms_all,
    *_library_all,
    *_mapping_all,
    *_timing_all,
    *_tone_all,
    *_practice_all,
    *_plan_form_all,
    *_analytics_all,
    *_plots_all,
    *_report_all,
    *_dashboard_all,
    *_importer_all,
]
__version__ = "0.1.0"
