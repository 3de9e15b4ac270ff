"""The user interface: ipywidgets forms and views for the notebooks (and nothing else).

Each module holds one job: :mod:`.interview_form`, :mod:`.record_form`, :mod:`.plan`,
:mod:`.practice` (with :mod:`.editor`, :mod:`.call`, :mod:`.rehearsal` and
:mod:`.recorder`), :mod:`.start` and :mod:`.importer`, :mod:`.dashboard`; the shared
parts are in :mod:`.fields`, :mod:`.clients`, :mod:`.entries` and :mod:`._kit`. Handlers
write only through :mod:`followup_kit.actions`.

This package imports nothing itself, so a client's page loads only the forms it shows:
import from the module (``from followup_kit.widgets.plan import PlanForm``), or use the
package's top level (``fk.plan_view``).
"""
