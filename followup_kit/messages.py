"""A filled-in message made ready to send: a mail link, and LinkedIn's length limits.

The script library fills a script in (:func:`followup_kit.render_script`); this module
takes the finished text to where the client sends it from. The rendered email's first
line is ``Subject: ...`` and the rest is the body; :func:`mailto` keeps both exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["LINKEDIN_LIMITS", "LinkedInLimit", "linkedin_length", "mailto", "split_subject"]

_SUBJECT = "subject:"


def split_subject(text: str) -> tuple[str | None, str]:
    """The subject line of a rendered email and its body.

    The subject is the first line when it starts with ``Subject:`` (any case); the blank
    lines between it and the body are dropped. Text without one is all body.

    Examples
    --------
    >>> split_subject("Subject: Thank you\\n\\nDear Ana,\\nThanks.")
    ('Thank you', 'Dear Ana,\\nThanks.')
    >>> split_subject("Hi Ana, thanks.")
    (None, 'Hi Ana, thanks.')
    """
    first, sep, rest = text.partition("\n")
    if not first.strip().lower().startswith(_SUBJECT):
        return None, text
    subject = first.strip()[len(_SUBJECT) :].strip()
    return subject, rest.lstrip("\r\n") if sep else ""


def mailto(text: str, to: str | None = None) -> str:
    """A ``mailto:`` link that opens the message in the client's mail app.

    Parameters
    ----------
    text
        The rendered message: an optional ``Subject: ...`` first line, then the body.
    to
        The recipient's address, when known.

    Returns
    -------
    str
        ``mailto:<to>?subject=...&body=...``, percent-encoded as UTF-8 (RFC 6068), line
        breaks as CRLF, so the mail app shows the subject and body exactly as rendered.

    Examples
    --------
    >>> mailto("Subject: Thanks & hello\\n\\nDear Zoë,\\nThank you.", to="zoe@example.com")
    'mailto:zoe@example.com?subject=Thanks%20%26%20hello&body=Dear%20Zo%C3%AB%2C%0D%0AThank%20you.'
    """
    subject, body = split_subject(text)
    fields = [] if subject is None else [f"subject={_encode(subject)}"]
    fields.append(f"body={_encode(body)}")
    address = quote((to or "").strip(), safe="@")
    return f"mailto:{address}?{'&'.join(fields)}"


def _encode(value: str) -> str:
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return quote("\r\n".join(lines), safe="")


@dataclass(frozen=True)
class LinkedInLimit:
    """One of LinkedIn's length limits for a message, in characters."""

    key: str
    label: str
    characters: int


#: LinkedIn's limits (its help pages, 2024): a note with a connection request (200 on
#: a free account, 300 with Premium), an InMail body, and a message to a connection.
LINKEDIN_LIMITS: tuple[LinkedInLimit, ...] = (
    LinkedInLimit("connection_note", "a note with a connection request", 200),
    LinkedInLimit("inmail", "an InMail", 1900),
    LinkedInLimit("message", "a message to someone you are connected with", 8000),
)


def linkedin_length(text: str) -> str:
    """How the message's length fits LinkedIn's limits, in a sentence for the client.

    Examples
    --------
    >>> linkedin_length("Hello Ana, thank you for your time today.")
    '41 characters: fits a note with a connection request (up to 200).'
    >>> print(linkedin_length("x" * 250))  # doctest: +NORMALIZE_WHITESPACE
    250 characters: too long for a note with a connection request (up to 200);
    fits an InMail (up to 1,900).
    """
    n = len(text.strip())
    fits = [limit for limit in LINKEDIN_LIMITS if n <= limit.characters]
    too_long = [limit for limit in LINKEDIN_LIMITS if n > limit.characters]
    parts = []
    if too_long:
        worst = too_long[-1]
        parts.append(f"too long for {worst.label} (up to {worst.characters:,})")
    if fits:
        best = fits[0]
        parts.append(f"fits {best.label} (up to {best.characters:,})")
    return f"{n:,} characters: " + "; ".join(parts) + "."
