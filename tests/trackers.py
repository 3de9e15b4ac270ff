"""Realistic trackers, as coaches and job seekers keep them, written into a test's folder.

Each builder writes the file and returns ``(path, expected)``: for every column the field
it holds, ``None`` for a column we do not store that is worth keeping in the notes, and
``"ignore"`` for one that is best left out.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

NOTES = None


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def coach_tracker(folder: Path) -> tuple[Path, dict[str, str | None]]:
    """The first layout of issue 17 with a Client column (a coach's sheet)."""
    header = [
        "Client", "Company", "Role", "Date Applied", "Status", "Interview Date",
        "Follow-up Date", "Salary Range", "Contact", "Notes",
    ]  # fmt: skip
    rows = [
        ["Alex Rivera", "Acme", "Data Analyst", "2025-02-01", "Interview", "2025-03-04",
         "2025-03-11", "$60-70k", "Dana Lee", "Liked the team"],
        ["Alex Rivera", "Globex", "Planner", "2025-02-03", "Final Round", "2025-03-06",
         "", "", "Sam Ortiz; Kim Ng", ""],
        ["Bea Okafor", "Initech", "Developer", "2025-02-05", "Applied", "", "", "$90k", "", ""],
        ["Bea Okafor", "Hooli", "Designer", "2025-02-07", "Rejected", "2025-03-01",
         "2025-03-07", "$80-90k", "Lee Park", ""],
        ["Bea Okafor", "Umbrella", "Designer", "2025-02-09", "Offer", "2025-03-03",
         "", "", "Ana Gomez", "Start in April"],
    ]  # fmt: skip
    expected = {
        "Client": "client", "Company": "company", "Role": "role", "Date Applied": NOTES,
        "Status": "status", "Interview Date": "interview_date",
        "Follow-up Date": "status_check_date", "Salary Range": NOTES,
        "Contact": "interviewers", "Notes": "notes",
    }  # fmt: skip
    return _csv(folder / "coach tracker.csv", header, rows), expected


def seeker_tracker(folder: Path) -> tuple[Path, dict[str, str | None]]:
    """The second layout of issue 17: a job seeker's own sheet, US dates, no Client column."""
    header = [
        "Company", "Role", "Date Applied", "Status", "Contact Person", "Contact Email",
        "Source", "Location", "Salary/Rate", "Last Action", "Next Follow-up",
        "Interview Date", "Notes", "Job URL",
    ]  # fmt: skip
    rows = [
        ["Northwind", "Data Analyst", "2/20/2025", "Interviewing", "Dana Lee",
         "dana@northwind.example", "LinkedIn", "Remote", "$70k", "Sent thank-you",
         "3/25/2025", "3/4/2025", "Panel of three", "https://jobs.example/1"],
        ["Contoso", "BI Developer", "2/22/2025", "Ghosted", "Sam Ortiz", "",
         "Referral", "Austin, TX", "$85/h", "Emailed recruiter", "", "3/13/2025", "",
         "https://jobs.example/2"],
        ["Fabrikam", "Analyst", "2/25/2025", "Applied", "", "", "Indeed", "Denver", "", "",
         "", "", "", "https://jobs.example/3"],
        ["Tailspin", "Analyst II", "2/26/2025", "Offer", "Kim Ng", "kim@tailspin.example",
         "Company site", "Remote", "$90k", "Negotiating", "", "3/14/2025", "", ""],
    ]  # fmt: skip
    expected = {
        "Company": "company", "Role": "role", "Date Applied": NOTES, "Status": "status",
        "Contact Person": "interviewers", "Contact Email": "interviewer_email",
        "Source": NOTES, "Location": NOTES, "Salary/Rate": NOTES, "Last Action": NOTES,
        "Next Follow-up": NOTES, "Interview Date": "interview_date", "Notes": "notes",
        "Job URL": NOTES,
    }  # fmt: skip
    return _csv(folder / "my job search.csv", header, rows), expected


def british_tracker(folder: Path) -> tuple[Path, dict[str, str | None]]:
    """A UK coach's sheet: day-first dates, "Outcome", "Heard back on", "Comments"."""
    header = [
        "Candidate", "Employer", "Job Title", "Interview date", "Round", "Thank-you sent",
        "Heard back on", "Outcome", "Comments",
    ]  # fmt: skip
    rows = [
        ["Priya Shah", "Tesco", "Buyer", "04/03/2025", "First", "04/03/2025", "11/03/2025",
         "Next round", "Keen on the role"],
        ["Priya Shah", "Boots", "Analyst", "17/02/2025", "Final", "18/02/2025", "",
         "Awaiting feedback", ""],
        ["Tom Hughes", "Arup", "Engineer", "03/03/2025", "Phone screen", "", "14/03/2025",
         "Unsuccessful", "Asked for feedback"],
    ]  # fmt: skip
    expected = {
        "Candidate": "client", "Employer": "company", "Job Title": "role",
        "Interview date": "interview_date", "Round": "round",
        "Thank-you sent": "thank_you_date", "Heard back on": "response_date",
        "Outcome": "status", "Comments": "notes",
    }  # fmt: skip
    return _csv(folder / "uk tracker.csv", header, rows), expected


def excel_tracker(folder: Path) -> tuple[Path, dict[str, str | None]]:
    """An Excel workbook: real date cells, a cover sheet first, the data on sheet "2025"."""
    from openpyxl import Workbook

    book = Workbook()
    cover = book.active
    cover.title = "Read me"
    cover.append(["Interview log kept by the coach"])
    sheet = book.create_sheet("2025")
    header = ["Client", "Organisation", "Position", "Date", "Type", "Interviewer",
              "Interviewer email", "Result"]  # fmt: skip
    sheet.append(header)
    sheet.append(["Alex Rivera", "Acme", "Analyst", datetime(2025, 3, 4), "Zoom",
                  "Dana Lee", "dana@acme.example", "Waiting"])  # fmt: skip
    sheet.append(["Bea Okafor", "Globex", "Planner", datetime(2025, 3, 10, 14, 30),
                  "In person", "Sam Ortiz", "", "Rejected"])  # fmt: skip
    sheet.append(["Bea Okafor", "Initech", "Developer", datetime(2025, 2, 27), "Phone",
                  "", "", "Offer"])  # fmt: skip
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "dd/mm/yyyy"
    path = folder / "log.xlsx"
    book.save(path)
    expected = {
        "Client": "client", "Organisation": "company", "Position": "role",
        "Date": "interview_date", "Type": "format", "Interviewer": "interviewers",
        "Interviewer email": "interviewer_email", "Result": "status",
    }  # fmt: skip
    return path, expected


def emoji_tracker(folder: Path) -> tuple[Path, dict[str, str | None]]:
    """A job seeker's Notion-style export: emoji statuses, rows never interviewed."""
    header = ["Company", "Job", "Status", "Interviewed on", "Recruiter", "Notes"]
    rows = [
        ["Acme", "Analyst", "✅ Offer", "2025-03-04", "Dana Lee", ""],
        ["Globex", "Planner", "❌ Rejected", "2025-03-05", "", "Too junior"],
        ["Initech", "Developer", "⏳ Waiting", "2025-03-12", "Sam Ortiz", ""],
        ["Hooli", "Designer", "👻 Ghosted", "2025-02-20", "", ""],
        ["Umbrella", "Analyst", "📞 Phone Screen", "2025-03-17", "Kim Ng", ""],
        ["Soylent", "Planner", "📝 Applied", "", "", "Applied online"],
        ["Wonka", "Buyer", "🤞 Fingers crossed", "2025-03-18", "", ""],
        ["Stark", "Engineer", "📝 Applied", "", "", ""],
    ]
    expected = {
        "Company": "company", "Job": "role", "Status": "status",
        "Interviewed on": "interview_date", "Recruiter": "interviewers", "Notes": "notes",
    }  # fmt: skip
    return _csv(folder / "notion export.csv", header, rows), expected


ALL = [coach_tracker, seeker_tracker, british_tracker, excel_tracker, emoji_tracker]


def terse_tracker(folder: Path) -> tuple[Path, dict[str, str | None]]:
    """Names that say little ("Gig", "When", "Who"): the hard case, guessed partly wrong."""
    header = ["Name", "Firm", "Gig", "When", "Stage", "Who", "Heard back?", "Link"]
    rows = [
        ["Alex Rivera", "Acme", "Analyst", "2025-03-04", "Phone screen", "Dana Lee", "yes",
         "https://jobs.example/a"],
        ["Bea Okafor", "Globex", "Planner", "2025-03-06", "Final", "Sam Ortiz", "no", ""],
        ["Bea Okafor", "Initech", "Developer", "2025-03-10", "Second round", "", "no", ""],
    ]  # fmt: skip
    expected = {
        "Name": "client", "Firm": "company", "Gig": "role", "When": "interview_date",
        "Stage": "round", "Who": "interviewers", "Heard back?": NOTES, "Link": NOTES,
    }  # fmt: skip
    return _csv(folder / "terse.csv", header, rows), expected


ALL.append(terse_tracker)
