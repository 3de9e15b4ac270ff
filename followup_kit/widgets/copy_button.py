"""A "Copy" button that puts a message on the clipboard: a small anywidget.

The browser's clipboard needs a secure page (https, or this computer's own address,
127.0.0.1); elsewhere, or when the browser refuses, the button shows the message
selected in a box with "press Ctrl+C", so the client can still copy it. Each copy the
browser made adds one to ``copies``. The JavaScript is inline: nothing is fetched from
the network.
"""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["CopyButton"]

_ESM = r"""
function render({ model, el }) {
  el.classList.add("fk-copy");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-button widget-button mod-primary fk-copy-button";
  button.textContent = model.get("label");
  const said = document.createElement("span");
  said.className = "fk-copy-message";
  said.setAttribute("aria-live", "polite");
  const spare = document.createElement("textarea");
  spare.className = "fk-copy-fallback";
  spare.readOnly = true;
  spare.style.display = "none";
  el.append(button, said, spare);

  const done = (text) => {
    said.textContent = text;
    model.set("copies", model.get("copies") + 1);
    model.save_changes();
  };

  async function copy() {
    const text = model.get("text");
    spare.style.display = "none";
    if (window.isSecureContext && navigator.clipboard && navigator.clipboard.writeText) {
      try {
        await navigator.clipboard.writeText(text);
        return done(model.get("copied_words"));
      } catch (err) { /* refused: fall back to the selected text below */ }
    }
    spare.value = text;
    spare.style.display = "block";
    spare.focus();
    spare.select();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch (err) { copied = false; }
    if (copied) {
      spare.style.display = "none";
      return done(model.get("copied_words"));
    }
    said.textContent = "Your browser did not let the page copy: the message is selected " +
      "below, press Ctrl+C (on a Mac \u2318C) to copy it.";
  }

  button.addEventListener("click", copy);
  model.on("change:label", () => { button.textContent = model.get("label"); });
  model.on("change:text", () => { said.textContent = ""; spare.style.display = "none"; });
}

export default { render };
"""

_CSS = """
.fk-copy { display: flex; flex-wrap: wrap; align-items: center; gap: 0.6em; max-width: 100%; }
.fk-copy button.fk-copy-button { width: auto; min-width: 6em; padding: 0 1.2em; }
.fk-copy-message { color: #1b5e20; }
.fk-copy textarea.fk-copy-fallback { width: 100%; min-height: 8em; box-sizing: border-box; }
"""


class CopyButton(anywidget.AnyWidget):
    """A button that copies ``text`` to the clipboard in the browser.

    Attributes for tests: ``text`` (what is copied), ``label`` (the button's words),
    ``copies`` (how many times the browser copied it).
    """

    _esm = _ESM
    _css = _CSS

    text = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("Copy").tag(sync=True)
    copied_words = traitlets.Unicode(
        "Copied: paste it into your message and send it from there."
    ).tag(sync=True)
    copies = traitlets.Int(0).tag(sync=True)
