"""Who is signed in: the JupyterHub user when there is one, else the name picked here.

Every client page and every action asks this module, so "whose data is this" has one
answer. On a JupyterHub the hub's user name (``JUPYTERHUB_USER``) decides and cannot be
overridden by a page's parameters; on a laptop the client picks their name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .exceptions import NotYoursError
from .schema import normalise_username

if TYPE_CHECKING:
    from .store import Workbook

__all__ = ["SignedIn", "hub_user", "require_own", "signed_in"]


def hub_user() -> str | None:
    """The JupyterHub user name this kernel runs for (normalised), or None off a hub."""
    name = os.environ.get("JUPYTERHUB_USER", "")
    return normalise_username(name) or None


@dataclass(frozen=True)
class SignedIn:
    """Who a page is for.

    Attributes
    ----------
    username
        The hub user name, or None on a laptop.
    client_id
        Their client in the workbook; None while they are not in it (a hub user who
        has not added themselves) or have not picked their name yet.
    """

    username: str | None
    client_id: int | None

    @property
    def fixed(self) -> bool:
        """True on a hub: the page shows this person only and offers nobody else."""
        return self.username is not None


def signed_in(
    wb: Workbook, *, client_id: int | None = None, username: str | None = None
) -> SignedIn:
    """Resolve who is signed in.

    Parameters
    ----------
    wb
        The open workbook.
    client_id
        The client a page was opened for (a notebook's ``CLIENT`` parameter). On a hub
        it must be the hub user's own client.
    username
        A hub user name; default ``JUPYTERHUB_USER``.

    Raises
    ------
    NotYoursError
        A hub user's page was pointed at another client.
    NotFoundError
        ``client_id`` is not (or no longer) in the workbook.

    Examples
    --------
    >>> from followup_kit import open_workbook
    >>> wb = open_workbook(":memory:")
    >>> bob = wb.add_client("Bob", username="Bob")
    >>> signed_in(wb, username="BOB ") == SignedIn("bob", bob)
    True
    """
    name = (normalise_username(username) or None) if username is not None else hub_user()
    if name is not None:
        own = wb.client_for_user(name)
        if client_id is not None and client_id != own:
            raise NotYoursError("clients", client_id)
        return SignedIn(name, own)
    if client_id is not None:
        wb.owner_of("clients", client_id)  # NotFoundError when the client is gone
    return SignedIn(None, client_id)


def require_own(wb: Workbook, table: str, row_id: object, client_id: int | None) -> None:
    """Refuse unless the row belongs to ``client_id`` (``None``: the coach, who may act).

    Ids are never reused, so a row's owner cannot change between this check and the
    write that follows; a row deleted meanwhile makes the write fail as not found.

    Raises
    ------
    NotYoursError
        The row is another client's.
    NotFoundError
        The row is not (or no longer) there.
    """
    if client_id is not None and wb.owner_of(table, row_id) != client_id:
        raise NotYoursError(table, row_id)
