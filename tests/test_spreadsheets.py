"""Spreadsheet import (all rows or none, every bad row named) and export round trips."""

from __future__ import annotations

import csv
from datetime import date

import pandas as pd
import pytest

import followup_kit as fk
from followup_kit import demo
from followup_kit.exceptions import BadFileError, OutputFileError, ValidationError
from followup_kit.spreadsheets import neutralise

HEADER = [
    "Client",
    "Company",
    "Role",
    "Round",
    "Interview date",
    "Interviewers",
    "Thank-you date",
    "Thank-you channel",
    "Status check date",
    "Response date",
    "Response result",
]


def flat_rows(n, *, start=date(2025, 1, 6)):
    rows = []
    for i in range(n):
        day = (pd.Timestamp(start) + pd.Timedelta(days=i % 40)).date().isoformat()
        rows.append(
            [
                f"Client {i % 7}",
                f"Company {i}",
                "Analyst",
                "first",
                day,
                "Dana Lee; Sam Ortiz" if i % 2 else "Dana Lee",
                day,
                "email",
                "",
                day if i % 3 == 0 else "",
                "rejection" if i % 3 == 0 else "",
            ]
        )
    return rows


def write_csv(path, rows, header=HEADER, **kw):
    with open(path, "w", newline="", encoding=kw.pop("encoding", "utf-8")) as fh:
        writer = csv.writer(fh, **kw)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def counts(wb):
    return wb.counts().to_dict()


def test_flat_import_writes_every_table(wb, tmp_path):
    path = write_csv(tmp_path / "sheet.csv", flat_rows(10))
    added = wb.import_table(path)
    assert added == {
        "clients": 7,
        "interviews": 10,
        "interviewers": 15,
        "follow_ups": 10,
        "responses": 4,
    }
    iv = wb.interviews().merge(wb.clients(), left_on="client_id", right_on="id")
    assert iv.loc[iv["company"] == "Company 3", "name"].item() == "Client 3"
    panel = wb.interviewers().merge(wb.interviews(), left_on="interview_id", right_on="id")
    assert sorted(panel.loc[panel["company"] == "Company 1", "name"]) == ["Dana Lee", "Sam Ortiz"]
    assert set(wb.follow_ups()["kind"]) == {"thank_you"}


def test_flat_sheet_carries_the_interviews_contacts(wb, tmp_path):
    contacts = ["HR name", "HR email", "HR phone", "Posting link"]
    rows = [row + ["Priya Shah", "priya@acme.example", "+1 555 0100", "https://acme.example/j/7"]
            for row in flat_rows(2)]  # fmt: skip
    rows[1][-4:] = ["", "", "", ""]
    wb.import_table(write_csv(tmp_path / "s.csv", rows, header=HEADER + contacts))
    iv = wb.interviews().set_index("company")
    first = iv.loc["Company 0", ["hr_name", "hr_email", "hr_phone", "posting_link"]].tolist()
    assert first == ["Priya Shah", "priya@acme.example", "+1 555 0100", "https://acme.example/j/7"]
    assert iv.loc["Company 1", ["hr_name", "posting_link"]].isna().all()

    rows[1][-3] = "not an email"
    before = counts(wb)
    with pytest.raises(fk.ValidationError) as err:
        wb.import_table(write_csv(tmp_path / "t.csv", rows, header=HEADER + contacts))
    assert [(p.row, p.field) for p in err.value.problems] == [(3, "hr_email")]
    assert counts(wb) == before


def test_import_matches_existing_clients_by_name(wb, tmp_path):
    cid = wb.add_client("client 0")
    wb.import_table(write_csv(tmp_path / "s.csv", flat_rows(3)))
    assert wb.clients()["name"].tolist() == ["client 0", "Client 1", "Client 2"]
    assert cid in wb.interviews()["client_id"].tolist()


def test_one_bad_row_in_a_thousand_writes_nothing(wb, tmp_path):
    rows = flat_rows(1000)
    rows[500][4] = "31/02/2025"
    rows[700][1] = ""
    path = write_csv(tmp_path / "s.csv", rows)
    before = counts(wb)
    with pytest.raises(fk.ValidationError) as err:
        wb.import_table(path)
    found = [(p.row, p.field) for p in err.value.problems]
    # Row numbers are what the spreadsheet shows: the header is row 1.
    assert (502, "interview_date") in found and (702, "company") in found
    assert "row 502, interview_date: not a date I can read" in str(err.value)
    assert counts(wb) == before


def test_reply_before_interview_is_named_by_row_and_column(wb, tmp_path):
    rows = flat_rows(3)
    rows[1][9] = "2025-01-01"  # response date before the interview of 2025-01-07
    rows[1][10] = "offer"
    with pytest.raises(fk.ValidationError) as err:
        wb.import_table(write_csv(tmp_path / "s.csv", rows))
    assert [(p.row, p.field, p.message) for p in err.value.problems] == [
        (3, "response_date", "a reply cannot be before the interview.")
    ]


def test_semicolons_bom_and_windows_encoding(wb, tmp_path):
    rows = flat_rows(2)
    rows[0][0] = "José Núñez"
    write_csv(tmp_path / "a.csv", rows, delimiter=";", encoding="utf-8-sig")
    write_csv(tmp_path / "b.csv", rows, encoding="cp1252")
    wb.import_table(tmp_path / "a.csv")
    wb.import_table(tmp_path / "b.csv")
    assert wb.clients()["name"].tolist() == ["José Núñez", "Client 1"]
    assert len(wb.interviews()) == 4


def test_excel_flat_sheet_with_real_date_cells(wb, tmp_path):
    frame = pd.DataFrame(
        {
            "Client": ["Alex"],
            "Company": ["Acme"],
            "Role": ["Analyst"],
            "Interview date": [pd.Timestamp("2025-03-04")],
            "Thank-you date": [pd.Timestamp("2025-03-04")],
        }
    )
    frame.to_excel(tmp_path / "s.xlsx", index=False)
    assert wb.import_table(tmp_path / "s.xlsx")["follow_ups"] == 1
    assert wb.interviews().loc[0, "interview_date"] == pd.Timestamp("2025-03-04")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (b"Client,Company,Role,Interview date\n", "header row but no data rows"),
        (b"Client,Company,Company,Role,Interview date\nA,B,C,D,2025-01-02\n", "appears twice"),
        (b"Client,Compny,Role,Interview date\nA,B,C,2025-01-02\n", "unknown column(s) 'compny'"),
        (b"Client,Company\nA,B\n", "required column(s) missing: role, interview_date"),
        (b"\x00\x01\x02\xff\xfe\x00garbage", "not a text file I can read"),
    ],
)
def test_broken_files_get_a_clear_message(wb, tmp_path, content, message):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(fk.FollowupKitError) as err:
        wb.import_table(path)
    assert message in str(err.value)
    assert counts(wb)["interviews"] == 0


def test_stray_delimiter_names_the_row(wb, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("Client,Company,Role,Interview date\nA,B,C,2025-01-02\nA,B,C,2025-01-02,oops\n")
    with pytest.raises(fk.ValidationError) as err:
        wb.import_table(path)
    assert err.value.problems[0].row == 3
    assert "stray separator" in err.value.problems[0].message


def test_missing_file_and_damaged_excel(wb, tmp_path):
    with pytest.raises(fk.BadFileError, match="no such file"):
        wb.import_table(tmp_path / "nope.csv")
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(fk.BadFileError, match="not an Excel file I can read"):
        wb.import_table(tmp_path / "bad.xlsx")


def test_progress_bar_on_large_files(wb, tmp_path, capsys):
    wb.import_table(write_csv(tmp_path / "s.csv", flat_rows(12_000)))
    assert "Saving" in capsys.readouterr().err
    assert counts(wb)["interviews"] == 12_000


# -- export and round trip --------------------------------------------------------


def _comparable(tables):
    """Tables with ids replaced by their rank, so two stores compare by content."""
    out = {}
    for name, frame in tables.items():
        frame = frame.copy()
        for col in [c for c in frame.columns if c == "id" or c.endswith("_id")]:
            frame[col] = frame[col].rank(method="dense").astype("Int64")
        out[name] = frame.reset_index(drop=True)
    return out


@pytest.mark.parametrize("target", ["export_dir", "export.xlsx"])
def test_export_then_import_gives_equal_tables(tmp_path, target):
    source = fk.open_workbook(tmp_path / "a.sqlite", today="2026-11-02")
    source.load_tables(demo.generate(n_clients=6, seed=3))
    cid = source.add_client('=HYPERLINK("http://x")', cohort="+SUM(A1)")
    source.log_interview(cid, "@evil", "-role", "2026-10-01", notes="\tleading tab")
    path = source.export(tmp_path / target)
    copy = fk.open_workbook(tmp_path / "b.sqlite", today="2026-11-02")
    copy.import_table(path)
    before, after = _comparable(source.tables()), _comparable(copy.tables())
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], check_dtype=True, obj=name)


@pytest.mark.parametrize("target", ["export_dir", "export.xlsx"])
def test_the_contacts_go_out_and_come_back(tmp_path, target):
    source = fk.open_workbook(tmp_path / "a.sqlite", today="2025-03-20")
    cid = source.add_client("Alex Rivera", country="GB", phone="+44 7700 900123")
    source.log_interview(
        cid,
        "Acme",
        "Analyst",
        "2025-03-04",
        hr_name="Priya Shah",
        hr_email="priya@acme.example",
        hr_phone="-555 0100",  # reads like a formula: neutralised out, restored in
        posting_link="https://acme.example/jobs/42?ref=a,b",
        interviewers=[
            {"name": "Dana Lee", "email": "dana@acme.example"},
            {"name": "Sam Ortiz", "greet_as": "title_surname", "honorific": "Dr"},
        ],
    )
    copy = fk.open_workbook(tmp_path / "b.sqlite", today="2025-03-20")
    copy.import_table(source.export(tmp_path / target))
    client = copy.clients().iloc[0]
    assert (client["country"], client["phone"]) == ("GB", "+44 7700 900123")
    iv = copy.interviews().iloc[0]
    assert [iv[k] for k in ("hr_name", "hr_email", "hr_phone", "posting_link")] == [
        "Priya Shah",
        "priya@acme.example",
        "-555 0100",
        "https://acme.example/jobs/42?ref=a,b",
    ]
    people = copy.interviewers().set_index("name")
    assert (people.loc["Sam Ortiz", "greet_as"], people.loc["Sam Ortiz", "honorific"]) == (
        "title_surname",
        "Dr",
    )
    assert pd.isna(people.loc["Dana Lee", "greet_as"])


def test_an_export_made_before_the_contacts_still_imports(tmp_path, filled):
    path = filled.export(tmp_path / "old")
    added = {"clients": ["phone"], "interviewers": ["greet_as", "honorific"]}
    added["interviews"] = ["hr_name", "hr_email", "hr_phone", "posting_link"]
    for name, columns in added.items():
        frame = pd.read_csv(path / f"{name}.csv", dtype=str, keep_default_na=False)
        frame.drop(columns=columns).to_csv(path / f"{name}.csv", index=False)
    copy = fk.open_workbook(tmp_path / "b.sqlite", today="2025-03-20")
    assert copy.import_table(path)["interviewers"] == 2
    assert copy.interviews()["hr_name"].isna().all()


def test_exported_formulas_are_neutralised(tmp_path, filled):
    filled.add_client("=1+1")
    filled.log_interview(filled.ids["client"], "@SUM(A1)", "Analyst", "2025-03-04")
    out = filled.export(tmp_path / "out")
    text = (out / "clients.csv").read_text()
    assert "'=1+1" in text and "\n=1+1" not in text
    assert "'@SUM(A1)" in (out / "interviews.csv").read_text()
    xlsx = filled.export(tmp_path / "out.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx)["clients"]
    values = [c.value for c in sheet["B"]]
    assert "'=1+1" in values
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-x", "'-x"), ("@a", "'@a"), ("ok", "ok"), (3, 3)],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_import_of_an_export_with_a_broken_link_is_refused(tmp_path, filled):
    out = filled.export(tmp_path / "out")
    fu = pd.read_csv(out / "follow_ups.csv")
    fu.loc[0, "interview_id"] = 99
    fu.to_csv(out / "follow_ups.csv", index=False)
    empty = fk.open_workbook(tmp_path / "b.sqlite", today="2025-03-20")
    with pytest.raises(fk.ValidationError) as err:
        empty.import_table(out)
    assert [(p.field, p.row) for p in err.value.problems] == [("follow_ups.interview_id", 2)]
    assert empty.counts().sum() == 0


def test_import_of_an_export_with_a_repeated_id_names_both_rows(tmp_path, filled):
    out = filled.export(tmp_path / "out")
    interviews = pd.read_csv(out / "interviews.csv")
    pd.concat([interviews, interviews.head(1)]).to_csv(out / "interviews.csv", index=False)
    empty = fk.open_workbook(tmp_path / "b.sqlite", today="2025-03-20")
    with pytest.raises(fk.ValidationError) as err:
        empty.import_table(out)
    twins = [(p.field, p.row) for p in err.value.problems if p.field == "interviews.id"]
    assert twins == [("interviews.id", 2), ("interviews.id", 3)]
    assert "each row needs its own" in str(err.value)
    assert empty.counts().sum() == 0


def test_stray_separator_beside_a_multi_line_cell_is_refused_plainly(wb, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        'Client,Company,Role,Interview date,Notes\nA,B,C,2025-01-02,"one\ntwo",x,y,z,w,v\n'
    )
    with pytest.raises(fk.BadFileError) as err:
        wb.import_table(path)
    assert "stray separator" in str(err.value)
    assert counts(wb)["interviews"] == 0


def test_blank_and_space_only_rows_are_skipped_but_rows_keep_their_numbers(wb, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "Client,Company,Role,Interview date\nA,B,C,2025-01-02\n\n  ,  ,\nA,B,C,2025-13-02\n"
    )
    with pytest.raises(fk.ValidationError) as err:
        wb.import_table(path)
    assert [(p.row, p.field) for p in err.value.problems] == [(5, "interview_date")]


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("", "empty_file"),
        ("client,company,role,interview_date,colour\n", "unknown_column"),
        ("client,client\nA,B\n", "duplicate_column"),
        ("client,company,role,interview_date\n", "empty_sheet"),
        ("client,company\nA,B\n", "missing_column"),
    ],
)
def test_unreadable_files_carry_a_check_code(wb, tmp_path, text, check):
    path = tmp_path / "sheet.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadFileError) as err:
        wb.import_table(path)
    assert err.value.check == check


def test_import_problems_carry_check_codes(wb, tmp_path):
    frames = {
        "clients": pd.DataFrame({"id": [1, 1], "name": ["A", "B"]}),
        "interviews": pd.DataFrame(
            {"id": [1], "client_id": [9], "company": ["X"], "role": ["Y"],
             "interview_date": ["2025-03-04"]}
        ),
    }  # fmt: skip
    with pytest.raises(ValidationError) as err:
        wb.load_tables(frames)
    checks = {(p.field, p.check) for p in err.value.problems}
    assert ("clients.id", "duplicate_id") in checks
    assert ("interviews.client_id", "missing_parent") in checks
    with pytest.raises(BadFileError) as missing:
        wb.import_table(tmp_path / "nowhere.csv")
    assert missing.value.check == "not_found"


# -- a faithful backup, or a refusal at input (issue 12) --------------------------------

ODD_TEXT = [
    "line one\r\nline two",
    "old Mac\rline",
    "both\r\n\rkinds\n",
    "_x000D_ typed as text",
    "_x005F_x0041_ and _x0041_",
    "=formula\r\nwith a break",
    "'quoted\rtext",
]


@pytest.mark.parametrize("target", ["out", "out.xlsx"])
def test_export_then_import_keeps_carriage_returns_and_escape_lookalikes(wb, tmp_path, target):
    cid = wb.add_client("Alex")
    for i, text in enumerate(ODD_TEXT):
        wb.log_interview(cid, f"Co {i}", "Analyst", "2025-03-04", notes=f"x {text} y")
    copy = fk.open_workbook(tmp_path / "copy.sqlite", today="2025-03-20")
    copy.import_table(wb.export(tmp_path / target))
    assert copy.interviews()["notes"].tolist() == [f"x {t} y" for t in ODD_TEXT]


def test_excel_reads_its_own_escapes_for_a_carriage_return(wb, tmp_path):
    # What Excel writes for a cell holding "a\r\nb", and for the literal text "_x000D_".
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Client", "Company", "Role", "Interview date", "Notes"])
    book.active.append(["Alex", "Acme", "Analyst", "2025-03-04", "a_x000D_\nb"])
    book.active.append(["Alex", "Beta", "Analyst", "2025-03-04", "_x005F_x000D_"])
    book.save(tmp_path / "excel.xlsx")
    wb.import_table(tmp_path / "excel.xlsx")
    assert wb.interviews()["notes"].tolist() == ["a\r\nb", "_x000D_"]


def test_text_an_xlsx_cannot_hold_never_gets_in(filled, tmp_path):
    with pytest.raises(ValidationError) as err:
        filled.log_interview(filled.ids["client"], "Acme\ufffe", "Analyst", "2025-03-04")
    assert [p.check for p in err.value.problems] == ["bad_text"]
    with pytest.raises(ValidationError):
        filled.update_interview(filled.ids["interview"], notes="note\uffff")
    write_csv(
        tmp_path / "odd.csv", [["Alex", "Acme", "Analyst", "first", "2025-03-04", "Zo\ufffee"]]
    )
    with pytest.raises(ValidationError) as err:
        filled.import_table(tmp_path / "odd.csv")
    assert [(p.row, p.check) for p in err.value.problems] == [(2, "bad_text")]
    path = filled.export(tmp_path / "still.xlsx")
    assert fk.open_workbook(":memory:").import_table(path)["interviews"] == 1


def test_numbers_and_yes_no_cells_in_text_columns_import_as_their_text(wb, tmp_path):
    frame = pd.DataFrame(
        {
            "Client": [1001, "Alex"],
            "Company": [1800, "3M"],
            "Role": [2.5, True],
            "Interview date": [pd.Timestamp("2025-03-04")] * 2,
            "Notes": [pd.Timestamp("2025-03-05"), 7],
        }
    )
    frame.to_excel(tmp_path / "numbers.xlsx", index=False)
    wb.import_table(tmp_path / "numbers.xlsx")
    iv = wb.interviews()
    assert iv["company"].tolist() == ["1800", "3M"]
    assert iv["role"].tolist() == ["2.5", "TRUE"]
    assert iv["notes"].tolist() == ["2025-03-05", "7"]
    assert sorted(wb.clients()["name"]) == ["1001", "Alex"]


def test_the_same_interviewer_twice_in_a_row_is_refused_by_row(wb, tmp_path):
    rows = [["Alex", "Acme", "Analyst", "first", "2025-03-04", "Dana Lee; Sam Ortiz"]]
    rows.append(["Alex", "Beta", "Analyst", "first", "2025-03-04", "Dana Lee;  dana LEE"])
    write_csv(tmp_path / "twice.csv", rows, header=HEADER[:6])
    with pytest.raises(ValidationError) as err:
        wb.import_table(tmp_path / "twice.csv")
    assert [(p.row, p.field, p.check) for p in err.value.problems] == [
        (3, "interviewers", "duplicate_name")
    ]
    assert counts(wb)["interviews"] == 0


def test_an_export_with_the_same_interviewer_twice_is_refused(filled, tmp_path):
    out = filled.export(tmp_path / "out")
    people = pd.read_csv(out / "interviewers.csv")
    people.loc[1, "name"] = "DANA  lee"
    people.to_csv(out / "interviewers.csv", index=False)
    with pytest.raises(ValidationError) as err:
        fk.open_workbook(":memory:").import_table(out)
    assert [(p.field, p.check) for p in err.value.problems] == [
        ("interviewers.name", "duplicate_name")
    ]


@pytest.mark.parametrize("target", ["out.xlsx", "out", "mine.csv", "mine.xlsx"])
def test_export_never_overwrites(filled, tmp_path, target):
    mapping = {"Company": "company", "Date": "interview_date"} if "mine" in target else None
    path = filled.export(tmp_path / target, mapping=mapping)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    with pytest.raises(OutputFileError, match="already"):
        filled.export(tmp_path / target, mapping=mapping)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.rglob("*")) == before
    assert path.exists()


def test_export_into_an_empty_folder_is_fine_but_not_onto_a_file(filled, tmp_path):
    (tmp_path / "empty").mkdir()
    assert (filled.export(tmp_path / "empty") / "interviews.csv").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputFileError, match="a file is already there"):
        filled.export(tmp_path / "file")
    (tmp_path / "d.xlsx").mkdir()
    with pytest.raises(OutputFileError, match="a folder is already there"):
        filled.export(tmp_path / "d.xlsx")


@pytest.mark.parametrize("path", [None, "", "   ", 42])
def test_import_without_a_path_is_a_plain_refusal(wb, path):
    with pytest.raises(BadFileError, match="no file was given"):
        wb.import_table(path)


def test_an_empty_or_unrelated_folder_is_not_an_import(wb, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadFileError, match="no workbook export or spreadsheet here") as err:
        wb.import_table(tmp_path / "empty")
    assert err.value.check == "nothing_to_import"
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(BadFileError, match="no workbook export or spreadsheet here"):
        wb.import_table(tmp_path / "photos")
    write_csv(tmp_path / "photos" / "tracker.csv", flat_rows(2))
    with pytest.raises(BadFileError, match="tracker.csv, give the file's own path"):
        wb.import_table(tmp_path / "photos")
    assert counts(wb)["interviews"] == 0
