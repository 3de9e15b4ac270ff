"""The package's layers: widgets only in ``widgets/``, no import cycles, a light import."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "followup_kit"
UI_LIBRARIES = ("ipywidgets", "anywidget", "IPython.display")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at import time or inside a function, as absolute names.

    Imports under ``if TYPE_CHECKING:`` are left out: they never run.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found.add(stem)
            # "from . import schema" imports a module, not a name
            found.update(f"{stem}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _package_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def test_only_the_widgets_package_imports_user_interface_libraries():
    offenders = {
        name: sorted(m for m in _imports(path) if m.startswith(UI_LIBRARIES))
        for name, path in _package_modules().items()
        if not name.startswith("followup_kit.widgets")
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def _graph() -> dict[str, set[str]]:
    """Which package modules each package module uses; the facade ``__init__`` is left out.

    The top-level ``followup_kit/__init__.py`` only re-exports names lazily, so an edge
    into it would hide the real dependency; an import of a sub-package counts as an
    import of its ``__init__``.
    """
    modules = _package_modules()
    modules.pop("followup_kit")
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path) if m in modules and m != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph`` as a list of modules, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_inside_the_package():
    assert _cycle(_graph()) is None


def test_the_store_and_the_spreadsheets_are_not_tied_both_ways():
    graph = _graph()
    store, sheets = "followup_kit.store", "followup_kit.spreadsheets"
    assert not (sheets in graph[store] and store in graph[sheets])
    assert store not in graph[sheets], "spreadsheets must not reach back into the Workbook"


_PROBE = """
import json, sys
import followup_kit
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


@pytest.mark.parametrize("heavy", [("ipywidgets", "matplotlib", "statsmodels", "scipy", "sklearn")])
def test_import_followup_kit_loads_no_widgets_charts_or_statistics(heavy):
    out = subprocess.check_output([sys.executable, "-c", _PROBE.format(heavy=heavy)], text=True)
    assert json.loads(out) == []


def test_every_public_name_resolves():
    import followup_kit as fk

    missing = [name for name in fk.__all__ if not hasattr(fk, name)]
    assert missing == []
    assert sorted(dir(fk)) == sorted(set(dir(fk)))
    assert set(fk.__all__) <= set(dir(fk))


def test_an_unknown_name_is_an_attribute_error():
    import followup_kit as fk

    with pytest.raises(AttributeError, match="no_such_thing"):
        fk.no_such_thing  # noqa: B018 - the lookup is the test
