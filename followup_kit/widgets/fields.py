"""One labelled input per schema field, the two-part reflection, and the asking Delete button."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets

from .. import schema
from ..formatting import escape_html, is_blank
from ._kit import (
    INPUT_WIDTH,
    LABEL_WIDTH,
    RED,
    counted,
    full_choice,
    label_html,
    message_html,
    py,
)

__all__ = ["LabelledField", "confirm_delete", "join_reflection", "split_reflection"]

#: Fields typed as free text long enough to want a multi-line box.
_LONG_TEXT = ("notes", "feedback", "reflection")


class LabelledField:
    """One input with its label (marked ``*`` when required) and its message beside it.

    Parameters
    ----------
    field
        The schema field; it gives the label, the widget kind and the allowed values.
    widget
        A ready widget to use instead of the one built from the field.
    label
        Words to show instead of the schema label.
    required
        Override the schema's required flag (for the marker only).
    hook
        CSS class for tests, default ``ct-`` + the field name with dashes.

    Attributes
    ----------
    widget, label, message, box
        The input, its label HTML, its message HTML and the row holding all three.
    touched
        Whether the person has changed this input (its "fill me in" message waits till then).
    """

    def __init__(
        self,
        field: schema.Field,
        *,
        widget: widgets.ValueWidget | None = None,
        label: str | None = None,
        required: bool | None = None,
        hook: str | None = None,
    ) -> None:
        self.field = field
        self.name = field.name
        self.required = field.required if required is None else required
        self.widget = widget if widget is not None else _widget_for(field)
        self.widget.add_class(hook or "ct-" + field.name.replace("_", "-"))
        self.label = widgets.HTML(
            label_html(label or field.label, self.required),
            layout=widgets.Layout(width=LABEL_WIDTH, min_width=LABEL_WIDTH),
        )
        self.message = widgets.HTML("").add_class("ct-message")
        self.touched = False
        shown = self.widget
        if isinstance(shown, widgets.Dropdown):
            shown = full_choice(shown)  # a long choice written out on a phone
        self.box = widgets.HBox([self.label, shown, self.message])
        self.widget.observe(self._touch, "value")

    def _touch(self, _change: Mapping[str, Any] | None = None) -> None:
        self.touched = True

    @property
    def value(self) -> Any:
        """The raw value, as the schema expects it (blank text counts as missing)."""
        return self.widget.value

    @value.setter
    def value(self, new: Any) -> None:
        self.widget.value = _for_widget(self.widget, self.field, new)

    def show(self, message: str | None) -> None:
        """Show ``message`` (plain text, escaped here) beside the input, or clear it."""
        self.message.value = message_html(message)

    def reset(self) -> None:
        """Back to the field's default, untouched and without a message."""
        self.value = self.field.default
        self.touched = False
        self.show(None)


def _widget_for(field: schema.Field) -> widgets.ValueWidget:
    layout = widgets.Layout(width=INPUT_WIDTH)
    if field.kind == "enum":
        options = [(label, value) for value, label in field.allowed().items()]
        if not field.required and field.default is None:
            options.insert(0, ("(not given)", None))
        return widgets.Dropdown(options=options, value=field.default, layout=layout)
    if field.kind == "country":
        # The countries whose holidays are known, by name: a code typed as free text
        # could be misread, and a wrong calendar dates every plan wrongly.
        options = [(name, code) for code, name in schema.country_names().items()]
        return widgets.Dropdown(options=options, value=field.default, layout=layout)
    if field.kind == "date":
        return widgets.DatePicker(value=None, layout=layout)
    if field.name in _LONG_TEXT:
        return widgets.Textarea(value="", layout=widgets.Layout(width=INPUT_WIDTH, height="5em"))
    placeholder = field.hint or ("name@example.com" if field.kind == "email" else "")
    value = field.default if isinstance(field.default, str) else ""
    return widgets.Text(value=value, placeholder=placeholder, layout=layout)


def _for_widget(widget: widgets.ValueWidget, field: schema.Field, value: Any) -> Any:
    """Convert a stored value to what ``widget`` accepts."""
    value = py(value)
    if isinstance(widget, widgets.DatePicker):
        return schema.as_date(value)
    if isinstance(widget, widgets.Text | widgets.Textarea):
        return "" if value is None else str(value)
    if isinstance(widget, widgets.Dropdown) and value is not None:
        if value not in [v for _, v in widget.options]:
            # A value from an older script or a deleted person: keep it choosable.
            widget.options = [*widget.options, (str(value), value)]
    return value


# --------------------------------------------------------------------------- the reflection
_WORKED = "What worked:"
_CHANGE = "What I'd change next time:"
_REFLECTION = re.compile(
    rf"^{re.escape(_WORKED)}\s*(?P<worked>.*?)\s*(?:\n{re.escape(_CHANGE)}\s*(?P<change>.*))?$",
    re.DOTALL,
)


class ReflectionField(LabelledField):
    """The reflection as two prompts (what worked, what I'd change) kept in one text field."""

    def __init__(self, field: schema.Field) -> None:
        box_layout = widgets.Layout(width=INPUT_WIDTH, height="4em")
        self.worked = widgets.Textarea(placeholder="What worked?", layout=box_layout)
        self.worked.add_class("ct-reflection-worked")
        self.change = widgets.Textarea(
            placeholder="What would you change next time?", layout=box_layout
        )
        self.change.add_class("ct-reflection-change")
        self._joined = widgets.Textarea()  # holds the stored text, so observers see one value
        super().__init__(field, widget=self._joined)
        self.box.children = (self.label, widgets.VBox([self.worked, self.change]), self.message)
        for w in (self.worked, self.change):
            w.observe(lambda _: self._sync(), "value")

    def _sync(self) -> None:
        self._joined.value = join_reflection(self.worked.value, self.change.value) or ""

    @property
    def value(self) -> Any:
        return self._joined.value

    @value.setter
    def value(self, new: Any) -> None:
        worked, change = split_reflection(None if is_blank(new) else str(new))
        self.worked.value, self.change.value = worked, change
        self._sync()


def join_reflection(worked: str, change: str) -> str | None:
    """The two reflection prompts as one stored text (``None`` when both are blank)."""
    worked, change = worked.strip(), change.strip()
    if not worked and not change:
        return None
    return f"{_WORKED} {worked}\n{_CHANGE} {change}"


def split_reflection(text: str | None) -> tuple[str, str]:
    """Back from stored text to (what worked, what I'd change); free text goes first."""
    if not text:
        return "", ""
    match = _REFLECTION.match(text)
    if not match:
        return text, ""
    return match.group("worked") or "", match.group("change") or ""


# --------------------------------------------------------------------------- deleting
def confirm_delete(what: str, goes_with: str, on_confirm: Callable[[], Any]) -> widgets.HBox:
    """A Delete button that first asks, saying what else goes, then calls ``on_confirm``.

    Parameters
    ----------
    what
        Plain words for the entry, e.g. ``"the interview at Acme on Tue 4 Mar 2025"``.
    goes_with
        Plain words for what is deleted with it, e.g. ``"Its 2 interviewers go too."``.
    on_confirm
        Called with no arguments when the person confirms.

    Returns
    -------
    HBox
        The row: first the Delete button, then the question with "Yes, delete" and "Keep it".
    """
    delete = widgets.Button(description="Delete", icon="trash", tooltip=f"Delete {what}")
    delete.add_class("ct-delete")
    row = widgets.HBox([delete]).add_class("ct-delete-row")

    def ask(_: widgets.Button) -> None:
        question = widgets.HTML(
            f"<span style='color:{RED}'>Delete {escape_html(what)}? {escape_html(goes_with)}</span>"
        ).add_class("ct-delete-question")
        yes = widgets.Button(description="Yes, delete", button_style="danger")
        yes.add_class("ct-confirm-delete")
        keep = widgets.Button(description="Keep it").add_class("ct-keep")
        yes.on_click(lambda _: on_confirm())
        keep.on_click(lambda _: setattr(row, "children", (delete,)))
        row.children = (question, yes, keep)

    delete.on_click(ask)
    return row


def goes_with(counts: Mapping[str, int]) -> str:
    """What else a delete removes, in words: ``"Its 2 interviewers will be deleted with it."``."""
    shown = {k: v for k, v in counts.items() if v}
    if not shown:
        return "Nothing else is attached to it."
    return f"Its {counted(shown)} will be deleted with it."
