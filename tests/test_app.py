"""App mode: only client notebooks, on 127.0.0.1, behind a token, with the code stripped."""

from __future__ import annotations

import json
import os
import socket

import browser_support
import nbformat
import pytest
from browser_support import ROOT, start_app

from followup_kit import app


def _notebook(path, audience=None):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("SECRET_CODE = 1")])
    if audience:
        nb.metadata["followup_kit"] = {"audience": audience}
    nbformat.write(nb, path)


def test_only_notebooks_marked_for_clients_are_served(tmp_path):
    _notebook(tmp_path / "01_form.ipynb", "client")
    _notebook(tmp_path / "00_coach.ipynb", "coach")
    _notebook(tmp_path / "02_unmarked.ipynb")
    (tmp_path / "03_broken.ipynb").write_text("{ not json")
    assert [p.name for p in app.client_notebooks(tmp_path)] == ["01_form.ipynb"]


def test_the_workbooks_client_notebooks_are_01_and_04_not_the_coach_ones():
    names = [p.name for p in app.client_notebooks(ROOT / "notebooks")]
    assert "01_log_an_interview.ipynb" in names and "04_record_what_happened.ipynb" in names
    assert "00_start_here.ipynb" not in names


def test_voila_is_told_loopback_token_hidden_code_and_no_other_port(tmp_path):
    argv = app.voila_argv(tmp_path, port=8123, token="abc")
    assert argv[0] == str(tmp_path)
    for expected in (
        "--port=8123",
        "--Voila.ip=127.0.0.1",
        "--token=abc",
        "--no-browser",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--MappingKernelManager.cull_idle_timeout=120",
        "--MappingKernelManager.cull_interval=30",
        "--MappingKernelManager.cull_connected=False",
    ):
        assert expected in argv


def test_a_busy_port_is_refused_in_plain_words(tmp_path, capsys):
    _notebook(tmp_path / "01_form.ipynb", "client")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert app.main(["--port", str(port), "--notebook-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"port {port} is already in use" in err and f"PORT={port + 1}" in err


def test_no_client_notebooks_is_an_error(tmp_path, capsys):
    assert app.main(["--port", "0", "--notebook-dir", str(tmp_path)]) == 1
    assert "no client notebooks" in capsys.readouterr().err


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    work = tmp_path_factory.mktemp("app")
    server = start_app(ROOT / "notebooks", work, dict(os.environ))
    yield server
    server.stop()


def test_the_app_lists_client_notebooks_only_and_needs_the_token(served):
    assert served.url.startswith("http://127.0.0.1:")
    status, body = served.get("/voila/api/contents")
    assert status == 200
    names = {item["name"] for item in json.loads(body)["content"]}
    assert {"01_log_an_interview.ipynb", "04_record_what_happened.ipynb"} <= names
    assert "00_start_here.ipynb" not in names
    assert served.get("/voila/api/contents", auth=False)[0] in (302, 403)
    assert served.get("/voila/render/01_log_an_interview.ipynb", auth=False)[0] in (302, 403)
    assert served.get("/voila/render/00_start_here.ipynb")[0] == 404


def test_the_rendered_form_page_has_no_code(served):
    status, body = served.get("/voila/render/01_log_an_interview.ipynb")
    page = body.decode()
    assert status == 200
    assert "Log an interview" in page
    assert "application/vnd.jupyter.widget-view+json" in page  # the form ran
    for code in ("open_workbook", "fk.interview_form", "import followup_kit"):
        assert code not in page


@pytest.mark.parametrize(
    ("ci", "outcome"), [("", pytest.skip.Exception), ("true", pytest.fail.Exception)]
)
def test_without_chromium_browser_tests_skip_but_fail_under_ci(monkeypatch, tmp_path, ci, outcome):
    monkeypatch.setattr(browser_support, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="no-chromium is missing"):
        browser_support.require_chromium()
