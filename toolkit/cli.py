"""Command line: ``python -m toolkit ...`` or the ``toolkit`` console script.

Subcommands live in :mod:`toolkit.commands`; each module there defines ``register(sub)`` to add
top-level subcommands and/or ``register_fetch(sub)`` to add a ``toolkit fetch <product>``
subcommand. Handlers return an exit code; a :class:`ValueError` (bad input) or
:class:`toolkit.errors.ToolkitError` (e.g. :class:`CLIError`) becomes a one-line message on
stderr and exit status 2 or 1; a bad flag is refused by argparse in one line, exit 2; an
:class:`OSError` that reaches the top (a data directory that is a file or read-only) is one
line naming the path, exit 1; Ctrl-C exits 130.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from ._version import __version__
from .errors import ToolkitError

#: Modules that contribute subcommands, in help order.
COMMAND_MODULES = (
    "toolkit.commands.cube",
    "toolkit.commands.report",
    "toolkit.commands.events",
    "toolkit.commands.event_rows",
    "toolkit.commands.doc",
    "toolkit.commands.bigquery",
)


class CLIError(ToolkitError):
    """A failure the CLI reports as one line and exit status 1."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage block), exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = _Parser(
        prog="toolkit",
        description="GDELT rhetoric toolkit for Russia, South Korea and North Korea.",
    )
    parser.add_argument("--version", action="version", version=f"toolkit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    fetch = sub.add_parser("fetch", help="download GDELT data into the local cache",
                           description="Download GDELT data into the local cache.")
    fetch_sub = fetch.add_subparsers(dest="product", metavar="PRODUCT")
    fetch.set_defaults(func=lambda args: (fetch.print_help(), 2)[1])
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that part of the toolkit is not built yet
                continue
            raise
        if hasattr(mod, "register"):
            mod.register(sub)
        if hasattr(mod, "register_fetch"):
            mod.register_fetch(fetch_sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ValueError as exc:
        print(f"toolkit: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except ToolkitError as exc:
        print(f"toolkit: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("toolkit: interrupted; what was verified is stored, rerun the same command to "
              "resume", file=sys.stderr)
        return 130
    except OSError as exc:
        # last resort for the file system (a data dir that is a file, read-only, full):
        # other exceptions are bugs and keep their traceback
        where = f": {exc.filename}" if exc.filename else ""
        what = exc.strerror or str(exc)
        if isinstance(exc, (FileExistsError, NotADirectoryError)):
            what = "a file is in the way of a directory"
        print(f"toolkit: {what}{where} (check that the path is a writable directory, or "
              "choose another with --data-dir / TOOLKIT_DATA_DIR)", file=sys.stderr)
        return 1


def _one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line (continuation lines joined with " | ")."""
    return " | ".join(ln.strip() for ln in str(exc).splitlines() if ln.strip())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
