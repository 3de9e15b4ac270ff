"""The Follow-up Workbook's helper package: store, timing rules, scripts, tone, analytics.

Notebooks import from here only. Every public name is listed in ``__all__``; each line
below re-exports one module's own ``__all__``.
"""

from . import exceptions
from .exceptions import *  # noqa: F403
from .schema import CHOICES, STEPS, TABLES, choice_label
from .store import *  # noqa: F403
from .store import __all__ as _store_all

__all__ = [
    *exceptions.__all__,
    "CHOICES",
    "STEPS",
    "TABLES",
    "choice_label",
    *_store_all,
]
__version__ = "0.1.0"
