"""Who is filling in the form: pick your name, add yourself, or be the signed-in hub user."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets

from .. import actions, schema
from ..exceptions import FollowupKitError, Problem, ValidationError
from ..formatting import escape_html, is_blank
from ..identity import signed_in
from ._kit import (
    INPUT_WIDTH,
    LABEL_WIDTH,
    Shown,
    error_html,
    hidden,
    label_html,
    message_html,
    ok_html,
    report_unexpected,
)
from .fields import LabelledField

__all__ = ["ClientPicker", "client_picker"]


class ClientPicker(Shown):
    """Who is filling in the form.

    On a JupyterHub (``username``, else ``JUPYTERHUB_USER``; see
    :func:`followup_kit.identity.signed_in`) the client whose user name matches is
    selected and fixed, so only their entries show; a hub user not yet in the workbook
    is asked to add themselves and is never shown anyone else. Otherwise the client
    chooses their name from a list or adds themselves.

    Attributes
    ----------
    dropdown
        The list of clients; its ``value`` is the chosen client's id (``None``: nobody yet).
    """

    def __init__(self, wb, *, client_id: int | None = None, username: str | None = None) -> None:
        self.wb = wb
        self.username = signed_in(wb, username=username).username
        self.fixed = False  # True on a hub: the signed-in user only, nobody else
        self._handlers: list[Callable[[int | None], Any]] = []
        self._updating = False
        spec = schema.TABLES["clients"]
        self.dropdown = widgets.Dropdown(
            options=[("Choose your name", None)], layout=widgets.Layout(width=INPUT_WIDTH)
        ).add_class("ct-client")
        self.label = widgets.HTML(
            label_html("Your name", True),
            layout=widgets.Layout(width=LABEL_WIDTH, min_width=LABEL_WIDTH),
        )
        self.message = widgets.HTML("").add_class("ct-message")
        self.signed_in = widgets.HTML("").add_class("ct-signed-in")
        self.add_me = widgets.Button(
            description="I'm not on the list", icon="user-plus", layout=widgets.Layout(width="auto")
        )
        self.add_me.add_class("ct-add-me")
        self.new = {
            name: LabelledField(spec[name], hook=f"ct-new-client-{name}")
            for name in ("name", "cohort", "country", "phone")
        }
        self.add_save = widgets.Button(
            description="Add me", button_style="primary", icon="check", disabled=True
        ).add_class("ct-add-client-save")
        self.add_status = widgets.HTML("").add_class("ct-add-client-status")
        self.add_box = hidden(
            widgets.VBox([*(f.box for f in self.new.values()), self.add_save, self.add_status])
        ).add_class("ct-add-client")
        for f in self.new.values():
            f.widget.observe(lambda _: self._check_new(), "value")
        self.dropdown.observe(self._changed, "value")
        self.add_me.on_click(lambda _: self._open_add(True))
        self.add_save.on_click(self._on_add)
        self.box = widgets.VBox(
            [
                widgets.HBox([self.label, self.dropdown, self.add_me, self.message]),
                self.signed_in,
                self.add_box,
            ]
        ).add_class("ct-client-picker")
        self.refresh(select=client_id)

    # the value and its changes
    @property
    def value(self) -> int | None:
        """The chosen client's id, or ``None``."""
        return self.dropdown.value

    def observe(self, handler: Callable[[int | None], Any]) -> None:
        """Call ``handler(client_id)`` whenever the chosen client changes."""
        self._handlers.append(handler)

    def _changed(self, _change: Mapping[str, Any] | None = None) -> None:
        if not self._updating:
            for handler in self._handlers:
                handler(self.value)

    def show(self, message: str | None) -> None:
        self.message.value = message_html(message)

    def refresh(self, select: int | None = None) -> None:
        """Reload the list of clients, keeping (or setting) the selection."""
        before = self.value
        self._updating = True
        try:
            self._reload(select)
        finally:
            self._updating = False
        if self.value != before:
            self._changed()

    def _reload(self, select: int | None) -> None:
        if self.username:
            self._reload_hub_user(select)
            return
        current = select if select is not None else self.dropdown.value
        clients = self.wb.clients().sort_values(["name", "id"])
        options: list[tuple[str, int | None]] = [("Choose your name", None)]
        for row in clients.itertuples(index=False):
            cohort = f" ({row.cohort})" if not is_blank(row.cohort) else ""
            options.append((f"{row.name}{cohort}", int(row.id)))
        self.dropdown.options = options
        ids = [v for _, v in options]
        self.dropdown.value = current if current in ids else None

    def _reload_hub_user(self, select: int | None) -> None:
        """A hub user sees their own client, or an invitation to add themselves: nobody else."""
        own = signed_in(self.wb, username=self.username).client_id
        self.dropdown.disabled = self.fixed = True
        hidden(self.add_me)
        if own is None:
            self.dropdown.options = [("Add your name below", None)]
            self.dropdown.value = None
            self.signed_in.value = (
                f"Welcome, <b>{escape_html(self.username)}</b>. You are not in the workbook "
                "yet: add your name below to start, or ask your coach to add you."
            )
            self._open_add(True)
            return
        name = self.wb.clients(own)["name"].iloc[0]
        self.dropdown.options = [(str(name), own)]
        self.dropdown.value = own
        hidden(self.add_box)
        note = (
            " This page was opened for someone else, so it shows yours instead."
            if select is not None and select != own
            else ""
        )
        self.signed_in.value = (
            f"Signed in as <b>{escape_html(self.username)}</b>: you see and add only "
            f"your own entries.{note}"
        )

    # adding oneself
    def _open_add(self, show: bool) -> None:
        hidden(self.add_box, not show)
        self._check_new()

    def _new_values(self) -> dict[str, Any]:
        return {name: f.value for name, f in self.new.items()}

    def _check_new(self) -> list[Problem]:
        _, problems = schema.validate_record("clients", self._new_values(), today=self.wb.today)
        found = {}
        for p in problems:
            found.setdefault(p.field, p.message)
        for name, f in self.new.items():
            f.show(found.get(name) if f.touched or not is_blank(f.value) else None)
        self.add_save.disabled = bool(problems)
        return problems

    def _on_add(self, _: widgets.Button | None = None) -> None:
        if self._check_new():
            return
        values = self._new_values()
        try:
            cid = actions.add_client(
                self.wb,
                values["name"],
                cohort=values["cohort"] or None,
                country=values["country"],
                username=self.username,
                phone=values["phone"] or None,
            )
        except ValidationError as err:
            for name, message in err.by_field().items():
                if name in self.new:
                    self.new[name].show(message)
            self.add_status.value = error_html(escape_html(str(err)))
            return
        except FollowupKitError as err:
            self.add_status.value = error_html(escape_html(str(err)))
            return
        except Exception as err:  # keep what was typed; never a traceback for a client
            self.add_status.value = error_html(report_unexpected(err))
            return
        for f in self.new.values():
            f.reset()
        hidden(self.add_box)
        self.add_status.value = ""
        self.refresh(select=cid)
        self.signed_in.value = ok_html(f"Added {escape_html(values['name'])}. Welcome!")


def client_picker(wb, *, client_id: int | None = None, username: str | None = None):
    """A :class:`ClientPicker` for ``wb`` (display it, read ``.value``)."""
    return ClientPicker(wb, client_id=client_id, username=username)
