"""``toolkit report``: execute the notebooks and write reports/ (what ``make report`` runs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import int_range


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="execute every notebook and write reports/",
                       description="Execute every notebook headless and write executed HTML, "
                       "figures (.html + .png), manifest.json and index.html.")
    p.add_argument("--out", default="reports", help="report folder (default: reports)")
    p.add_argument("--source", choices=("auto", "demo", "local", "bigquery"),
                   help="data source for every notebook (TOOLKIT_SOURCE); default: auto")
    p.add_argument("--jobs", type=int_range(1), default=None,
                   help="notebooks executed at once (default: 2, or 1 on a 1-core machine)")
    p.add_argument("notebooks", nargs="*", help="notebooks to run (default: all)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..notebook.report import build_report

    nbs = [Path(n).resolve() for n in args.notebooks] or None
    m = build_report(args.out, notebooks=nbs, source=args.source, jobs=args.jobs)
    print(f"report: {len(m['notebooks'])} notebooks, {len(m['figures'])} figures in "
          f"{m['seconds']} s -> {Path(args.out) / 'index.html'}")
    failed = [n["notebook"] for n in m["notebooks"] if n["error"]]
    if failed:
        print(f"report: FAILED notebooks (their HTML shows the error): {', '.join(failed)}")
        return 1
    return 0
