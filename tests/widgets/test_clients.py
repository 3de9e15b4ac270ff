"""The client picker: choose your name, add yourself, or be the signed-in hub user."""

from __future__ import annotations

from datetime import date

import ipywidgets as widgets
from form_helpers import texts

import followup_kit as fk
from followup_kit.widgets.clients import client_picker


def test_picker_lists_clients_by_name_and_reports_changes(wb, cid):
    other = wb.add_client("Bea Okafor")
    picker = client_picker(wb)
    assert picker.value is None
    assert [label for label, _ in picker.dropdown.options] == [
        "Choose your name",
        "Alex Rivera (Spring)",
        "Bea Okafor",
    ]
    seen = []
    picker.observe(seen.append)
    picker.dropdown.value = other
    assert seen == [other] and picker.value == other


def test_picker_selects_the_jupyterhub_user_and_shows_only_their_entries(wb, cid, monkeypatch):
    alex = wb.add_client("Alex Hub", username="alex")
    wb.log_interview(cid, "Other Co", "Clerk", date(2025, 3, 3))
    wb.log_interview(alex, "Mine Ltd", "Analyst", date(2025, 3, 5))
    monkeypatch.setenv("JUPYTERHUB_USER", "alex")
    form = fk.interview_form(wb, client_id=cid)  # the hub user wins over CLIENT
    assert form.picker.value == alex
    assert form.picker.dropdown.disabled and form.picker.dropdown.options == (("Alex Hub", alex),)
    assert "Signed in as <b>alex</b>" in form.picker.signed_in.value
    listed = " ".join(texts(form.entries))
    assert "Mine Ltd" in listed and "Other Co" not in listed


def test_a_new_hub_user_adds_themselves_with_their_user_name(wb, cid):
    picker = client_picker(wb, username="sam")
    assert picker.value is None and picker.add_box.layout.display != "none"
    assert picker.add_save.disabled
    picker.new["name"].value = "Sam Ortiz"
    picker.new["cohort"].value = "Autumn"
    picker.add_save.click()
    sam = wb.client_for_user("sam")
    assert sam is not None and picker.value == sam and picker.fixed
    assert wb.clients().set_index("id").loc[sam, "cohort"] == "Autumn"


def test_a_client_not_on_the_list_adds_themselves(wb, cid):
    form = fk.interview_form(wb)
    form.picker.add_me.click()
    new = form.picker.new
    new["name"].value = "Bea Okafor"
    # The country is chosen by name from the calendars the workbook knows.
    country = new["country"].widget
    assert isinstance(country, widgets.Dropdown) and country.value == "US"
    named = dict(country.options)
    assert named["United Kingdom"] == "GB" and named["United States"] == "US"
    assert named["Germany"] == "DE" and len(named) > 100
    new["country"].value = "XX"  # a code no calendar knows (an old entry, say) is refused
    assert form.picker.add_save.disabled
    assert "Choose a country from the list" in new["country"].message.value
    country.value = "GB"
    new["phone"].value = "call me"
    assert form.picker.add_save.disabled
    assert "does not look like a phone number" in new["phone"].message.value
    new["phone"].value = "+44 7700 900123"
    assert not form.picker.add_save.disabled
    form.picker.add_save.click()
    bea = wb.clients().set_index("name").loc["Bea Okafor"]
    assert bea["country"] == "GB" and form.picker.value == bea["id"]
    assert bea["phone"] == "+44 7700 900123" and form.phone.field.value == "+44 7700 900123"
    assert "No interviews logged yet" in form.entries.children[0].value
