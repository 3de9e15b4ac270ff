"""Command line: ``python -m followup_kit demo|import|export|info|backup|restore|roles|coach``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import demo
from .backup import restore_backup
from .dates import format_day
from .exceptions import FollowupKitError, rows_words
from .paths import demo_store
from .store import Workbook, open_workbook

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m followup_kit",
        description="The Follow-up Workbook's store: load the demo, import, export, inspect.",
    )
    parser.add_argument(
        "--store",
        help="SQLite file or database URL (default: $FOLLOWUP_DB_URL or data/workbook.sqlite; "
        "for demo, always data/demo.sqlite)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "demo",
        help="load the synthetic demo cohort, dated for today, into its own store "
        "(data/demo.sqlite unless --store names another); a demo already there is replaced",
    )
    p.add_argument("--clients", type=int, default=40, help="number of clients (default 40)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--refresh",
        action="store_true",
        help="load it only if the store has no demo, or one dated for another day "
        "(make lab and make app do this)",
    )
    mode.add_argument(
        "--remove",
        action="store_true",
        help="take the demo's clients out of the store, with everything logged for them; "
        "other clients stay",
    )
    mode.add_argument(
        "--if-empty", action="store_true", help="do nothing when the store already has clients"
    )
    p = sub.add_parser("import", help="import a CSV/Excel sheet or an export folder")
    p.add_argument("path")
    p = sub.add_parser("export", help="export every table (folder of CSVs, or a .xlsx file)")
    p.add_argument("path")
    sub.add_parser("info", help="where the store is and how many rows each table holds")
    p = sub.add_parser("backup", help="a consistent copy of a SQLite store, even while in use")
    p.add_argument("path")
    p = sub.add_parser(
        "restore",
        help="put a backup in place of the SQLite store (checked first; refused while the "
        "store is open anywhere; the replaced store is kept beside it)",
    )
    p.add_argument("backup")
    sub.add_parser(
        "roles", help="PostgreSQL: a sign-in role for each client with a username (as owner)"
    )
    p = sub.add_parser("coach", help="PostgreSQL: a coach's role, which sees every client")
    p.add_argument("username")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "restore":  # without opening the store: that would hold it
            kept = restore_backup(args.backup, args.store)
            print(f"Restored {args.backup}.")
            if kept is not None:
                print(f"The workbook it replaced is kept in {kept}.")
            return 0
        if args.command == "demo":
            # Never into the live store unless it is named: the demo has its own.
            with open_workbook(args.store or demo_store()) as wb:
                print(_demo(wb, args, named=args.store is not None))
            return 0
        wb = open_workbook(args.store)
        if args.command == "import":
            added = wb.import_table(args.path)
            print(f"Imported {args.path}: {_summary(added)}.")
        elif args.command == "export":
            print(f"Exported to {wb.export(args.path)}.")
        elif args.command == "info":
            print(wb)
            print(f"Coach files (rules.toml, scripts/): {wb.data_dir}")
            print(wb.counts().to_string())
        elif args.command == "roles":
            print(f"Client roles in {wb}: {wb.sync_roles()}.")
        elif args.command == "coach":
            print(f"Coach {wb.add_coach(args.username)} can sign in and sees every client.")
        elif args.command == "backup":
            print(f"Backed up to {wb.backup(args.path)}.")
    except FollowupKitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


def _demo(wb: Workbook, args: argparse.Namespace, *, named: bool) -> str:
    """Load, refresh or remove the demo in ``wb``; return what happened, in words."""
    where = _where(wb)
    if args.remove:
        removed = demo.remove(wb)
        if not removed:
            return f"{where} holds no demo clients: nothing removed."
        return f"Removed the demo cohort from {where}: {_summary(removed)}.{_others(wb, 'stay')}"
    if args.if_empty and wb.counts()["clients"] > 0:
        return f"{where} already has clients; demo not loaded."
    if args.refresh and demo.dated_to(wb) == demo.end_for(wb.today):
        return f"{where} holds the demo cohort, dated for today ({format_day(wb.today)})."
    done = demo.load(wb, args.clients, args.seed)
    text = (
        f"Loaded the demo cohort into {where}, dated for today ({format_day(wb.today)}; "
        f"its last day is {format_day(done.end)}): {_summary(done.added)}."
    )
    if done.replaced:
        text += (
            f"\nIt replaces the demo that was there ({done.replaced} clients, with everything "
            "logged for them)."
        )
    others = _others(wb, "are untouched")
    if named and others:
        text += (
            f"\n{others.strip()} Take the demo out again with: "
            f"python -m followup_kit --store {args.store} demo --remove"
        )
    return text


def _where(wb: Workbook) -> str:
    """The store as people name it: the SQLite file, or the URL without a password."""
    return wb.db.file or wb.engine.url.render_as_string(hide_password=True)


def _others(wb: Workbook, verb: str) -> str:
    """ " Your 3 other clients stay." (``verb`` "stay"), or "" when there are none."""
    n = len(wb.clients()) - len(demo.find(wb))
    if not n:
        return ""
    if n == 1:
        return f" Your 1 other client {_SINGULAR[verb]}."
    return f" Your {n} other clients {verb}."


_SINGULAR = {"stay": "stays", "are untouched": "is untouched"}


def _summary(added: dict[str, int]) -> str:
    """``{"clients": 1, "follow_ups": 2}`` -> ``"1 client, 2 follow-ups"``."""
    parts = []
    for name, n in added.items():
        parts.append(rows_words(name, n))
    return ", ".join(parts) or "nothing"


if __name__ == "__main__":
    sys.exit(main())
