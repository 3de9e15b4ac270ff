"""The committed notebooks hold exactly what ``make notebooks`` writes for them.

Each test here runs a notebook in a real kernel: marked slow, so ``make quick`` skips them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from refresh_notebooks import refresh

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["02_plan_your_follow_up", "06_workshop"])
def test_committed_notebook_is_what_a_refresh_writes(name, tmp_path):
    committed = NOTEBOOKS / f"{name}.ipynb"
    fresh = refresh(committed, tmp_path / committed.name)
    assert json.loads(fresh.read_text()) == json.loads(committed.read_text()), (
        f"{committed.name} is stale: run `make notebooks` and commit the result"
    )


_PROBE = """
import json
shown = {
    "client": page.client_id,
    "names": [label for label, _ in page.picker.dropdown.options],
    "interviews": [iid for _, iid in page.interview.options],
    "editor": page.editor.interview_id if page.editor else None,
    "recordings": sorted({int(c) for c in wb.recordings(page.client_id)["client_id"]})
    if page.client_id
    else [],
}
print(json.dumps(shown))
"""


def _run_as_hub_user(store: Path, user: str, monkeypatch) -> dict:
    """Execute notebook 03 as JupyterHub user ``user`` and report what its page shows."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTERHUB_USER", user)
    monkeypatch.setenv("FOLLOWUP_DB_URL", f"sqlite:///{store}")
    nb = nbformat.read(NOTEBOOKS / "03_scripts_and_practice.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PROBE))
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    return json.loads(nb.cells[-1].outputs[0]["text"])


def test_notebook_03_shows_a_hub_user_only_their_own(tmp_path, monkeypatch):
    import followup_kit as fk
    from followup_kit import demo

    store = tmp_path / "wb.sqlite"
    with fk.open_workbook(store, today="2026-11-02") as wb:
        wb.load_tables(demo.generate())
        clients = wb.clients()
        bob, other = int(clients["id"].iloc[5]), int(clients["id"].iloc[0])
        wb.update_client(bob, username="bob")
        wb.add_recording(other, "theirs.wav", b"RIFF\x00\x00\x00\x00WAVEfmt ", mime="audio/wav")
        wb.add_recording(bob, "mine.wav", b"RIFF\x00\x00\x00\x00WAVEfmt ", mime="audio/wav")
        own = set(wb.interviews(bob)["id"])
        name = clients.loc[clients["id"] == bob, "name"].iloc[0]

    shown = _run_as_hub_user(store, "bob", monkeypatch)
    assert shown["client"] == bob and shown["names"] == [name]
    assert shown["interviews"] and set(shown["interviews"]) == own
    assert shown["editor"] in own and shown["recordings"] == [bob]

    stranger = _run_as_hub_user(store, "eve", monkeypatch)
    assert stranger["client"] is None and stranger["interviews"] == []
    assert stranger["names"] == ["Add your name below"]
