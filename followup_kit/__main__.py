"""Command line: ``python -m followup_kit demo|import|export|info|backup|restore|roles|coach``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import demo
from .backup import restore_backup
from .exceptions import FollowupKitError
from .store import open_workbook

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m followup_kit",
        description="The Follow-up Workbook's store: load the demo, import, export, inspect.",
    )
    parser.add_argument(
        "--store",
        help="SQLite file or database URL (default: $FOLLOWUP_DB_URL or data/workbook.sqlite)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="load the synthetic demo cohort into the store")
    p.add_argument("--clients", type=int, default=40, help="number of clients (default 40)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument(
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
        wb = open_workbook(args.store)
        if args.command == "demo":
            if args.if_empty and wb.counts()["clients"] > 0:
                print(f"{wb}: already has clients; demo not loaded.")
                return 0
            added = wb.load_tables(demo.generate(args.clients, args.seed))
            print(f"Loaded the demo cohort into {wb}: {_summary(added)}.")
        elif args.command == "import":
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


def _summary(added: dict[str, int]) -> str:
    return ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in added.items()) or "nothing"


if __name__ == "__main__":
    sys.exit(main())
