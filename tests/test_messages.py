"""mailto links and LinkedIn lengths for a rendered message."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

import followup_kit as fk
from followup_kit.messages import LINKEDIN_LIMITS, linkedin_length, split_subject


def _read_back(link: str) -> tuple[str, str | None, str]:
    """What a mail app reads from the link: (to, subject, body) with CRLF as newline."""
    parts = urlsplit(link)
    assert parts.scheme == "mailto"
    fields = parse_qs(parts.query, keep_blank_values=True)
    subject = fields["subject"][0] if "subject" in fields else None
    return unquote(parts.path), subject, fields["body"][0].replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Thank you - Data analyst interview", "Dear Ana,\n\nThank you.\n\nBest regards,\nDana"),
        ("Q&A: 50% = done? #1 + more", "Zoë, ça va? 100% & more\nLine two; a=b&c=d #frag"),
        ("Emoji 🙂 and 日本語", "Ünïcödé body\r\nwith a Windows line break"),
    ],
)
def test_mailto_round_trips_subject_and_body_exactly(subject, body):
    link = fk.mailto(f"Subject: {subject}\n\n{body}", to="ana.lee@example.com")
    to, got_subject, got_body = _read_back(link)
    assert to == "ana.lee@example.com"
    assert got_subject == subject
    assert got_body == body.replace("\r\n", "\n")
    assert " " not in link and "\n" not in link


def test_mailto_without_subject_or_address_keeps_the_whole_text_as_body():
    text = "Hello Ana, thank you for today.\nDana"
    to, subject, body = _read_back(fk.mailto(text))
    assert (to, subject, body) == ("", None, text)


def test_split_subject_only_takes_a_first_line_subject():
    assert split_subject("Dear Ana,\nSubject: not this") == (None, "Dear Ana,\nSubject: not this")
    assert split_subject("SUBJECT:  Hi  ") == ("Hi", "")


def test_linkedin_length_names_the_limits_it_breaks_and_fits():
    short = linkedin_length("a" * 150)
    assert short.startswith("150 characters") and "fits a note" in short
    middle = linkedin_length("a" * 2000)
    assert "too long for an InMail" in middle and "fits a message" in middle
    over = linkedin_length("a" * 9000)
    assert "9,000 characters" in over and "fits" not in over
    assert [limit.characters for limit in LINKEDIN_LIMITS] == sorted(
        limit.characters for limit in LINKEDIN_LIMITS
    )
