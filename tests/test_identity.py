"""Who is signed in, and every action refusing another client's rows."""

from __future__ import annotations

from datetime import date

import pytest
from builders import TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import followup_kit as fk
from followup_kit import actions
from followup_kit.exceptions import NotFoundError, NotYoursError, ValidationError
from followup_kit.identity import SignedIn, hub_user, require_own, signed_in
from followup_kit.widgets.clients import ClientPicker


@pytest.fixture
def two(wb):
    """Ana and Bo, each with one interview, a thank-you, a reply, a skipped step."""
    ids = {}
    for name, company in (("Ana", "Acme"), ("Bo", "Beta")):
        cid = wb.add_client(name, username=name)
        iid = wb.log_interview(cid, company, "Analyst", date(2025, 3, 4), interviewers=["Dee"])
        fid = wb.log_follow_up(iid, kind="thank_you", channel="email", sent_on=date(2025, 3, 4))
        rid = wb.log_response(iid, received_on=date(2025, 3, 11), result="still_deciding")
        sid = wb.skip_step(iid, "second_follow_up", reason="they said next week")
        ids[name] = {"client": cid, "interview": iid, "follow_up": fid, "reply": rid, "skip": sid}
    return ids


# --------------------------------------------------------------------------- who is signed in
def test_the_hub_user_is_read_from_the_environment_and_normalised(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert hub_user() is None
    monkeypatch.setenv("JUPYTERHUB_USER", "  Bo ")
    assert hub_user() == "bo"


def test_a_hub_user_is_their_own_client_whatever_the_page_asks(wb, two, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "BO")
    assert signed_in(wb) == SignedIn("bo", two["Bo"]["client"])
    assert signed_in(wb).fixed
    with pytest.raises(NotYoursError):
        signed_in(wb, client_id=two["Ana"]["client"])
    monkeypatch.setenv("JUPYTERHUB_USER", "stranger")
    assert signed_in(wb) == SignedIn("stranger", None)


def test_on_a_laptop_the_picked_client_stands_if_they_exist(wb, two, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert signed_in(wb, client_id=two["Ana"]["client"]) == SignedIn(None, two["Ana"]["client"])
    assert not signed_in(wb).fixed
    wb.delete_client(two["Ana"]["client"])
    with pytest.raises(NotFoundError):
        signed_in(wb, client_id=two["Ana"]["client"])


# --------------------------------------------------------------------------- user names
def test_user_names_are_unique_whatever_their_case_and_spaces(wb, two):
    assert wb.clients(two["Ana"]["client"])["username"].iloc[0] == "ana"
    assert wb.client_for_user(" ANA ") == two["Ana"]["client"]
    with pytest.raises(ValidationError) as err:
        wb.add_client("Another Ana", username="ana ")
    assert [p.check for p in err.value.problems] == ["taken"]
    with pytest.raises(ValidationError):  # no hijacking someone's sign-in
        wb.update_client(two["Bo"]["client"], username="Ana")
    assert wb.client_for_user("ana") == two["Ana"]["client"]
    wb.update_client(two["Bo"]["client"], username="Bo")  # keeping one's own is fine
    assert len(wb.clients()) == 2


# --------------------------------------------------------------------------- the picker
def test_an_unknown_hub_user_is_shown_nobody_else(wb, two):
    picker = ClientPicker(wb, username="stranger")
    shown = [label for label, _ in picker.dropdown.options]
    assert picker.value is None and picker.dropdown.disabled
    assert not any(name in " ".join(shown) for name in ("Ana", "Bo"))
    assert "not in the workbook yet" in picker.signed_in.value
    assert picker.add_box.layout.display != "none"
    picker.new["name"].widget.value = "Stranger Danger"
    picker.add_save.click()
    assert picker.value == wb.client_for_user("stranger")
    assert [label for label, _ in picker.dropdown.options] == ["Stranger Danger"]


def test_a_hub_users_page_opened_for_someone_else_shows_their_own(wb, two):
    picker = ClientPicker(wb, username="bo", client_id=two["Ana"]["client"])
    assert picker.value == two["Bo"]["client"] and picker.fixed
    assert "opened for someone else" in picker.signed_in.value


def test_the_practice_page_follows_the_signed_in_client(wb, two):
    page = fk.practice_page(wb, username="bo", client_id=two["Ana"]["client"])
    assert page.client_id == two["Bo"]["client"]
    assert [iid for _, iid in page.interview.options] == [two["Bo"]["interview"]]
    assert page.editor.interview_id == two["Bo"]["interview"]
    assert page.editor.client_id == page.rehearsal.client_id == two["Bo"]["client"]
    stranger = fk.practice_page(wb, username="nobody")
    assert stranger.client_id is None and stranger.editor is None
    assert "Choose your name" in stranger.editor_box.children[0].value


# --------------------------------------------------------------------------- every action
def _attempts(ids: dict, acting: int) -> dict:
    """Each write action aimed at the rows in ``ids``, by the client ``acting``."""
    iid = ids["interview"]
    return {
        "change_interview": lambda wb: actions.change_interview(
            wb, iid, client_id=acting, company="Mine now"
        ),
        "delete_interview": lambda wb: actions.delete_interview(wb, iid, client_id=acting),
        "close_as_ghosted": lambda wb: actions.close_as_ghosted(wb, iid, client_id=acting),
        "log_follow_up": lambda wb: actions.log_follow_up(
            wb, iid, client_id=acting, kind="status_check", channel="email", sent_on=TODAY
        ),
        "change_follow_up": lambda wb: actions.change_follow_up(
            wb, ids["follow_up"], client_id=acting, notes="x"
        ),
        "delete_follow_up": lambda wb: actions.delete_follow_up(
            wb, ids["follow_up"], client_id=acting
        ),
        "log_response": lambda wb: actions.log_response(
            wb, iid, client_id=acting, received_on=TODAY, result="offer"
        ),
        "change_response": lambda wb: actions.change_response(
            wb, ids["reply"], client_id=acting, feedback="x"
        ),
        "delete_response": lambda wb: actions.delete_response(wb, ids["reply"], client_id=acting),
        "log_step_sent": lambda wb: actions.log_step_sent(
            wb, iid, "status_check", client_id=acting
        ),
        "skip_plan_step": lambda wb: actions.skip_plan_step(
            wb, iid, "status_check", reason="x", client_id=acting
        ),
        "undo_skip": lambda wb: actions.undo_skip(wb, ids["skip"], client_id=acting),
        "log_from_script": lambda wb: actions.log_from_script(
            wb, iid, "thank_you_note", "email", client_id=acting
        ),
        "log_call": lambda wb: actions.log_call(
            wb, iid, "decision_check_call", "someone_else", client_id=acting
        ),
        "log_interview": lambda wb: actions.log_interview(
            wb,
            client_id=ids["client"],
            company="Sneaky",
            role="x",
            interview_date=TODAY,
        ),
    }


def _rows(wb, client_id: int) -> dict:
    return {name: frame.to_dict("records") for name, frame in wb.tables(client_id).items()}


@pytest.mark.parametrize("action", sorted(_attempts({"interview": 0}, 0)))
def test_every_action_refuses_another_clients_rows(wb, two, action):
    ana, bo = two["Ana"], two["Bo"]
    before = _rows(wb, ana["client"])
    attempt = _attempts(ana, bo["client"])[action]
    if action == "log_interview":  # acting as Ana means being Ana: only her page may
        attempt = _attempts({**ana, "client": 10**9}, bo["client"])[action]
        with pytest.raises(NotFoundError):
            attempt(wb)
    else:
        with pytest.raises(NotYoursError, match="belongs to someone else"):
            attempt(wb)
    assert _rows(wb, ana["client"]) == before
    _attempts(ana, ana["client"])[action](wb)  # the owner may (so the test can fail)


def test_recordings_are_their_owners_alone(wb, two):
    ana, bo = two["Ana"]["client"], two["Bo"]["client"]
    rid = actions.add_recording(wb, ana, "take1.wav", b"RIFF\x00\x00\x00\x00WAVEfmt ")
    with pytest.raises(NotYoursError):
        actions.delete_recording(wb, rid, client_id=bo)
    assert len(wb.recordings(ana)) == 1
    actions.delete_recording(wb, rid, client_id=ana)
    assert wb.recordings(ana).empty


def test_a_form_opened_before_its_interview_was_deleted_cannot_write(wb, two):
    ana = two["Ana"]
    actions.delete_interview(wb, ana["interview"], client_id=ana["client"])
    newer = actions.log_interview(
        wb, client_id=two["Bo"]["client"], company="New", role="x", interview_date=TODAY
    )
    assert newer != ana["interview"]  # ids are never reused
    with pytest.raises(NotFoundError):
        actions.log_response(
            wb, ana["interview"], client_id=ana["client"], received_on=TODAY, result="offer"
        )
    assert wb.responses(two["Bo"]["client"]).query("interview_id == @newer").empty


def test_require_own_lets_the_coach_act(wb, two):
    require_own(wb, "interviews", two["Ana"]["interview"], None)
    with pytest.raises(NotYoursError):
        require_own(wb, "skipped_steps", two["Ana"]["skip"], two["Bo"]["client"])


# --------------------------------------------------------------------------- any sequence
_ACTIONS = sorted(set(_attempts({"interview": 0}, 0)) - {"log_interview"})


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(["Ana", "Bo"]), st.sampled_from(_ACTIONS), st.booleans()),
        min_size=1,
        max_size=8,
    )
)
def test_no_sequence_of_actions_changes_another_clients_rows(tmp_path_factory, steps):
    """Whoever acts, on whoever's ids, in any order: others' rows never change."""
    with fk.open_workbook(tmp_path_factory.mktemp("wb") / "wb.sqlite", today=TODAY) as wb:
        ids = {}
        for name in ("Ana", "Bo"):
            cid = wb.add_client(name)
            iid = wb.log_interview(cid, name, "Analyst", date(2025, 3, 4), interviewers=["Dee"])
            ids[name] = {
                "client": cid,
                "interview": iid,
                "follow_up": wb.log_follow_up(
                    iid, kind="thank_you", channel="email", sent_on=date(2025, 3, 4)
                ),
                "reply": wb.log_response(
                    iid, received_on=date(2025, 3, 11), result="still_deciding"
                ),
                "skip": wb.skip_step(iid, "second_follow_up", reason="later"),
            }
        for actor, action, at_other in steps:
            other = "Bo" if actor == "Ana" else "Ana"
            target = other if at_other else actor
            before = _rows(wb, ids[other]["client"])
            try:
                _attempts(ids[target], ids[actor]["client"])[action](wb)
            except (NotYoursError, NotFoundError, ValidationError, ValueError):
                pass  # refused, or the row was already gone, or the step is not open
            assert _rows(wb, ids[other]["client"]) == before
