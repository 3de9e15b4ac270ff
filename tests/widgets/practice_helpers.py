"""Helpers for the practice widgets: a stand-in timer, a table as a list of rows."""

from __future__ import annotations


class FakeTimer:
    """Stands in for threading.Timer: records what was started; nothing runs on its own."""

    made: list[FakeTimer] = []

    def __init__(self, delay, fn):
        self.delay, self.fn = delay, fn
        self.started = self.cancelled = False
        FakeTimer.made.append(self)

    def start(self):
        self.started = True

    def cancel(self):
        self.cancelled = True


def rows(wb, table):
    """Every row of one of ``wb``'s tables, as dicts."""
    return getattr(wb, table)().to_dict("records")
