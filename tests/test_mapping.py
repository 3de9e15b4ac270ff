"""The coach's own spreadsheet: suggested mappings, imports with them, what was stored."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
import trackers

import followup_kit as fk
from followup_kit.layouts import REMEMBERED_FILE, parse_date
from followup_kit.mapping import preview_import


def right_without_correction(suggestion, expected) -> list[str]:
    """Columns whose suggestion needs no change (a notes column must be kept in notes)."""
    return [
        c
        for c, f in expected.items()
        if suggestion.mapping[c] == f and (f is not None or c in suggestion.keep_in_notes)
    ]


@pytest.mark.parametrize(
    ("builder", "right"),
    [
        (trackers.coach_tracker, 10),
        (trackers.seeker_tracker, 14),
        (trackers.british_tracker, 9),
        (trackers.excel_tracker, 8),
        (trackers.emoji_tracker, 6),
        (trackers.terse_tracker, 6),  # "Name" and "Gig" say too little: left for the coach
    ],
)
def test_columns_mapped_right_without_a_correction(tmp_path, builder, right):
    path, expected = builder(tmp_path)
    suggestion = fk.suggest_mapping(path)
    assert suggestion.columns == list(expected)
    assert len(right_without_correction(suggestion, expected)) == right
    chosen = [f for f in suggestion.mapping.values() if f]
    assert len(chosen) == len(set(chosen)), "two columns suggested into one field"


def test_coach_tracker_imports_with_the_suggestion(wb, tmp_path):
    path, _ = trackers.coach_tracker(tmp_path)
    suggestion = fk.suggest_mapping(path)
    assert suggestion.values["Status"] == {
        "Interview": "open",
        "Final Round": "open",
        "Applied": "open",
    }
    assert suggestion.keep_in_notes == ["Date Applied", "Salary Range"]
    assert suggestion.samples["Contact"] == ["Dana Lee", "Sam Ortiz; Kim Ng", "Lee Park"]
    added = wb.import_table(path, **suggestion.options())
    assert added == {"clients": 2, "interviews": 4, "interviewers": 5, "follow_ups": 2}
    assert added.skipped == 1 and added.skipped_rows == (4,)  # Initech: never interviewed
    iv = wb.interviews().set_index("company")
    assert iv["status"].astype(str).to_dict() == {
        "Acme": "open",
        "Globex": "open",
        "Hooli": "rejected",
        "Umbrella": "offer",
    }
    assert iv.loc["Globex", "round"] == "final"  # from "Final Round"
    assert iv.loc["Acme", "notes"] == (
        "Liked the team\nDate Applied: 2025-02-01\nSalary Range: $60-70k"
    )
    checks = wb.follow_ups()
    assert set(checks["kind"]) == {"status_check"}
    assert sorted(checks["sent_on"].dt.date) == [date(2025, 3, 7), date(2025, 3, 11)]
    names = wb.interviewers().merge(wb.interviews(), left_on="interview_id", right_on="id")
    assert sorted(names.loc[names["company"] == "Globex", "name"]) == ["Kim Ng", "Sam Ortiz"]


def test_seeker_tracker_with_client_us_dates_and_emails(wb, tmp_path):
    path, _ = trackers.seeker_tracker(tmp_path)
    suggestion = fk.suggest_mapping(path)
    assert suggestion.needs_client
    assert suggestion.dayfirst is False and suggestion.ambiguous_dates == ["3/4/2025"]
    options = suggestion.options()
    with pytest.raises(fk.ValidationError) as err:  # nobody said how to read 3/4/2025
        wb.import_table(path, **{**options, "dayfirst": None}, client="Alex Rivera")
    assert [(p.row, p.field) for p in err.value.problems] == [(2, "Interview Date")]
    assert "could be Mon 3 Apr 2025 or Tue 4 Mar 2025" not in str(err.value)
    assert "Thu 3 Apr 2025 or Tue 4 Mar 2025" in str(err.value)
    assert wb.counts().sum() == 0

    added = wb.import_table(path, **options, client="Alex Rivera")
    assert added["interviews"] == 3 and added.skipped == 1
    assert wb.clients()["name"].tolist() == ["Alex Rivera"]
    iv = wb.interviews().set_index("company")
    assert iv.loc["Northwind", "interview_date"] == pd.Timestamp("2025-03-04")
    assert iv.loc["Contoso", "status"] == "ghosted"
    assert "Next Follow-up: 3/25/2025" in iv.loc["Northwind", "notes"]
    assert "Job URL: https://jobs.example/1" in iv.loc["Northwind", "notes"]
    people = wb.interviewers().set_index("name")
    assert people.loc["Dana Lee", "email"] == "dana@northwind.example"
    assert pd.isna(people.loc["Sam Ortiz", "email"])


def test_british_tracker_day_first_and_reply_from_the_outcome(wb, tmp_path):
    path, _ = trackers.british_tracker(tmp_path)
    suggestion = fk.suggest_mapping(path)
    assert suggestion.dayfirst is True  # 17/02/2025 can only be read day first
    wb.import_table(path, **suggestion.options())
    iv = wb.interviews().set_index("company")
    assert iv.loc["Tesco", "interview_date"] == pd.Timestamp("2025-03-04")
    assert iv.loc["Boots", "interview_date"] == pd.Timestamp("2025-02-17")
    assert iv["round"].astype(str).to_dict() == {
        "Tesco": "first",
        "Boots": "final",
        "Arup": "screen",
    }
    assert iv["status"].astype(str).to_dict() == {
        "Tesco": "next_round",
        "Boots": "open",
        "Arup": "rejected",
    }
    replies = wb.responses().merge(wb.interviews(), left_on="interview_id", right_on="id")
    assert replies.set_index("company")["result"].astype(str).to_dict() == {
        "Tesco": "next_round",
        "Arup": "rejection",
    }
    assert len(wb.follow_ups()) == 2


def test_excel_tracker_date_cells_on_the_second_sheet(wb, tmp_path):
    path, _ = trackers.excel_tracker(tmp_path)
    suggestion = fk.suggest_mapping(path)
    assert suggestion.sheet == "2025" and suggestion.sheets == ["Read me", "2025"]
    assert suggestion.samples["Date"][0] == "Tue 4 Mar 2025"
    added = wb.import_table(path, **suggestion.options())
    assert added["interviews"] == 3
    iv = wb.interviews().set_index("company")
    assert iv["interview_date"].dt.date.to_dict() == {
        "Acme": date(2025, 3, 4),
        "Globex": date(2025, 3, 10),
        "Initech": date(2025, 2, 27),
    }
    assert iv["format"].astype(str).to_dict() == {
        "Acme": "video",
        "Globex": "onsite",
        "Initech": "phone",
    }
    assert wb.interviewers().set_index("name").loc["Dana Lee", "email"] == "dana@acme.example"


def test_excel_serial_numbers_in_a_date_column(wb, tmp_path):
    frame = pd.DataFrame(
        {"Client": ["Ann"], "Company": ["Acme"], "Role": ["Dev"], "Interview": [45720]}
    )
    frame.to_excel(tmp_path / "serial.xlsx", index=False)
    suggestion = fk.suggest_mapping(tmp_path / "serial.xlsx")
    assert suggestion.mapping["Interview"] == "interview_date"
    wb.import_table(tmp_path / "serial.xlsx", **suggestion.options())
    assert wb.interviews().loc[0, "interview_date"] == pd.Timestamp("2025-03-04")


def test_emoji_statuses_unknown_words_and_skipped_rows(wb, tmp_path):
    path, _ = trackers.emoji_tracker(tmp_path)
    suggestion = fk.suggest_mapping(path)
    assert suggestion.unknown == {"Status": ["🤞 Fingers crossed"]}
    options = suggestion.options()
    with pytest.raises(fk.ValidationError) as err:
        wb.import_table(path, **options, client="Sam Lee")
    assert [(p.row, p.field) for p in err.value.problems] == [(8, "Status")]
    assert "choose one of: open" in str(err.value)
    assert wb.counts().sum() == 0

    options["values"]["Status"]["🤞 Fingers crossed"] = "open"
    added = wb.import_table(path, **options, client="Sam Lee")
    assert added["interviews"] == 6
    assert added.skipped == 2 and added.skipped_rows == (7, 9)
    iv = wb.interviews().set_index("company")
    assert iv["status"].astype(str).to_dict() == {
        "Acme": "offer",
        "Globex": "rejected",
        "Initech": "open",
        "Hooli": "ghosted",
        "Umbrella": "open",
        "Wonka": "open",
    }
    assert iv.loc["Umbrella", "round"] == "screen"


def test_a_flat_values_dict_applies_to_the_status_column(wb, tmp_path):
    path, _ = trackers.emoji_tracker(tmp_path)
    mapping = fk.suggest_mapping(path).mapping
    words = {"📝 Applied": "open", "⏳ Waiting": "open", "🤞 Fingers crossed": "open"}
    words |= {"📞 Phone Screen": "open"}
    wb.import_table(path, mapping=mapping, values=words, client="Sam Lee", keep_in_notes=[])
    assert len(wb.interviews()) == 6


def test_every_bad_row_is_named_by_their_column_and_nothing_is_written(wb, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Employer,Position,Interview Date,Outcome\n"
        "Acme,Analyst,2025-03-04,Offer\n"
        ",Planner,31/02/2025,Maybe\n"
        "Initech,,2027-12-01,Rejected\n"
    )
    suggestion = fk.suggest_mapping(path)
    with pytest.raises(fk.ValidationError) as err:
        wb.import_table(path, **suggestion.options(), client="Alex")
    assert [(p.row, p.field) for p in err.value.problems] == [
        (3, "Employer"),
        (3, "Interview Date"),
        (3, "Outcome"),
        (4, "Position"),
        (4, "Interview Date"),
    ]
    assert "row 4, Interview Date: that is more than two years ahead" in str(err.value)
    assert wb.counts().sum() == 0


def test_columns_neither_mapped_nor_kept_are_refused_not_lost(wb, tmp_path):
    path, _ = trackers.coach_tracker(tmp_path)
    mapping = fk.suggest_mapping(path).mapping
    del mapping["Salary Range"]
    with pytest.raises(fk.BadFileError, match="no field for column.s. 'Salary Range'"):
        wb.import_table(path, mapping=mapping, keep_in_notes=["Date Applied"])
    # Said out loud (None: leave it out), it is left out.
    mapping["Salary Range"] = None
    words = {"Interview": "open", "Final Round": "open", "Applied": "open"}
    wb.import_table(path, mapping=mapping, values=words, keep_in_notes=["Date Applied"])
    assert not wb.interviews()["notes"].str.contains("Salary").any()


def test_two_columns_into_one_field_are_refused(wb, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text(
        "Client,Company,Role,Interview Date,Recruiter,Hiring Manager\n"
        "Ann,Acme,Dev,2025-03-04,Dana Lee,Sam Ortiz\n"
    )
    suggestion = fk.suggest_mapping(path)
    assert suggestion.mapping["Recruiter"] == "interviewers"
    assert suggestion.mapping["Hiring Manager"] is None
    assert suggestion.keep_in_notes == ["Hiring Manager"]
    both = {**suggestion.mapping, "Hiring Manager": "interviewers"}
    with pytest.raises(fk.ValidationError, match="Hiring Manager: Interviewer or contact names"):
        wb.import_table(path, mapping=both)
    with pytest.raises(fk.ValidationError, match="'salary' is not a field"):
        wb.import_table(path, mapping={**suggestion.mapping, "Recruiter": "salary"})
    with pytest.raises(fk.BadFileError, match="does not have: 'Colour'"):
        wb.import_table(path, mapping={"Colour": None})
    assert wb.counts().sum() == 0


def test_client_by_id_and_the_required_client(wb, tmp_path):
    path, _ = trackers.emoji_tracker(tmp_path)
    options = fk.suggest_mapping(path).options()
    options["values"]["Status"]["🤞 Fingers crossed"] = "open"
    with pytest.raises(
        fk.BadFileError, match="missing: client; map a column to each or name the client"
    ):
        wb.import_table(path, **options)
    cid = wb.add_client("Sam Lee")
    wb.import_table(path, **options, client=cid)
    assert set(wb.interviews()["client_id"]) == {cid}
    assert len(wb.clients()) == 1


def test_a_confirmed_mapping_is_remembered_for_the_same_header(wb, tmp_path):
    path, _ = trackers.coach_tracker(tmp_path)
    suggestion = fk.suggest_mapping(path, wb=wb)
    assert not suggestion.remembered
    options = suggestion.options()
    options["mapping"]["Date Applied"] = None
    options["keep_in_notes"] = ["Salary Range"]  # the coach drops "Date Applied"
    options["values"]["Status"]["Applied"] = "withdrawn"
    wb.import_table(path, **options)
    stored = json.loads((wb.data_dir / REMEMBERED_FILE).read_text())
    assert len(stored) == 1
    # Another file, same header in other spellings: the confirmed choices come back.
    other = tmp_path / "march.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.columns = [c.upper() for c in frame.columns]
    frame.to_csv(other, index=False)
    again = fk.suggest_mapping(other, wb=wb)
    assert again.remembered
    assert again.keep_in_notes == ["SALARY RANGE"]
    assert again.mapping["STATUS"] == "status" and again.mapping["DATE APPLIED"] is None
    back = fk.suggest_mapping(path, wb=wb)
    assert back.remembered and back.keep_in_notes == ["Salary Range"]
    assert back.values["Status"]["Applied"] == "withdrawn"
    assert fk.suggest_mapping(path).remembered is False  # without a workbook: a fresh guess


def test_export_writes_their_layout_back(wb, tmp_path):
    path, _ = trackers.coach_tracker(tmp_path)
    suggestion = fk.suggest_mapping(path)
    wb.import_table(path, **suggestion.options())
    out = wb.export(tmp_path / "back.csv", mapping=suggestion)
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(back.columns) == suggestion.columns
    acme = back.set_index("Company").loc["Acme"]
    assert acme["Salary Range"] == "$60-70k" and acme["Notes"] == "Liked the team"
    assert acme["Interview Date"] == "2025-03-04" and acme["Follow-up Date"] == "2025-03-11"
    assert acme["Status"] == "Interview"  # their word for "open"
    assert back.set_index("Company").loc["Umbrella", "Status"] == "Offer"
    # Read back with the same mapping, it gives the same interviews.
    copy = fk.open_workbook(tmp_path / "copy.sqlite", today=wb.today)
    copy.import_table(out, **fk.suggest_mapping(out).options())
    # (The round is not in their layout: "Final Round" comes back as "Interview", first.)
    cols = ["company", "role", "interview_date", "status", "notes"]
    pd.testing.assert_frame_equal(
        wb.interviews()[cols].sort_values("company", ignore_index=True),
        copy.interviews()[cols].sort_values("company", ignore_index=True),
    )
    xlsx = wb.export(tmp_path / "back.xlsx", mapping=suggestion.mapping)
    sheet = pd.read_excel(xlsx, sheet_name="Tracker")
    assert sheet.loc[0, "Interview Date"] == pd.Timestamp("2025-03-01")


def test_own_layout_without_a_mapping_stays_strict(wb, tmp_path):
    """No mapping keywords: our own columns only, ISO dates, no rows skipped."""
    path = tmp_path / "ours.csv"
    path.write_text("client,company,role,interview_date\nAnn,Acme,Dev,15/03/2025\nAnn,B,C,\n")
    with pytest.raises(fk.ValidationError) as err:
        wb.import_table(path)
    assert [(p.row, p.field) for p in err.value.problems] == [
        (2, "interview_date"),
        (3, "interview_date"),
    ]
    added = wb.import_table(path, dayfirst=True)
    assert added["interviews"] == 1 and added.skipped == 1


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("2025-03-04", None, date(2025, 3, 4)),
        ("03/04/2025", None, None),
        ("03/04/2025", True, date(2025, 4, 3)),
        ("03/04/2025", False, date(2025, 3, 4)),
        ("04/04/2025", None, date(2025, 4, 4)),
        ("15/03/25", None, date(2025, 3, 15)),
        ("15/03/2025", False, None),
        ("04.03.2025", True, date(2025, 3, 4)),
        ("2025/03/04", None, date(2025, 3, 4)),
        ("4 Mar 2025", None, date(2025, 3, 4)),
        ("March 4, 2025", None, date(2025, 3, 4)),
        ("Tue 4 Mar 2025", None, date(2025, 3, 4)),
        ("04-Mar-25", None, date(2025, 3, 4)),
        ("3/4/2025 10:30", False, date(2025, 3, 4)),
        ("soon", None, None),
        ("31/02/2025", True, None),
    ],
)
def test_parse_date(text, dayfirst, expected):
    assert parse_date(text, dayfirst=dayfirst) == expected


def test_preview_shows_plain_words_and_problems(wb, tmp_path):
    path, _ = trackers.british_tracker(tmp_path)
    options = fk.suggest_mapping(path).options()
    preview = preview_import(wb, path, n=2, **options)
    assert preview.total == 3 and preview.problems == []
    first = preview.rows.iloc[0]
    assert first["Interview date"] == "Tue 4 Mar 2025"
    assert first["Status"] == "Invited to the next round"
    assert first["Round"] == "First interview"
    assert first["Reply"] == "Tue 11 Mar 2025 (Next round)"
    text = preview.rows.to_string()
    assert "NaN" not in text and "<NA>" not in text and "None" not in text
    assert wb.counts().sum() == 0
    ambiguous = preview_import(wb, path, **{**options, "dayfirst": None})
    assert {p.field for p in ambiguous.problems} == {
        "Interview date",
        "Thank-you sent",
        "Heard back on",
    }
