"""CLI subcommands, one module per area (see :mod:`toolkit.cli`).

The ``argparse`` type functions below check numeric flags where they are parsed, so that a
bad value (``--workers 0``, ``--timeout nan``, ``--max-gb inf``) is refused with a one-line
message naming the flag and exit status 2, before anything runs. :func:`out_path` and
:func:`write_table` are the ``--out FILE.csv|.parquet`` of the commands that write a table.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path


def _number(text: str, kind: type, lo: float | None, lo_open: bool, hi: float | None):
    try:
        x = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected {'an integer' if kind is int else 'a number'}, got {text!r}") from None
    if kind is float and not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    if lo is not None and (x <= lo if lo_open else x < lo):
        raise argparse.ArgumentTypeError(f"must be {'>' if lo_open else '>='} {lo:g}, got "
                                         f"{text}")
    if hi is not None and x > hi:
        raise argparse.ArgumentTypeError(f"must be <= {hi:g}, got {text}")
    return x


def int_range(lo: int, hi: int | None = None):
    """``type=`` for an integer flag in [lo, hi].

    Examples
    --------
    >>> int_range(1, 32)("4")
    4
    """
    def parse(text: str) -> int:
        return _number(text, int, lo, False, hi)

    parse.__name__ = "integer"
    return parse


def positive_float(text: str) -> float:
    """``type=`` for a finite number > 0 (seconds, GB, ...).

    Examples
    --------
    >>> positive_float("2.5")
    2.5
    """
    return _number(text, float, 0, True, None)


def nonneg_float(text: str) -> float:
    """``type=`` for a finite number >= 0.

    Examples
    --------
    >>> nonneg_float("0")
    0.0
    """
    return _number(text, float, 0, False, None)


def out_path(text: str) -> Path:
    """``--out`` as a path; ValueError (exit 2) unless it ends in .csv or .parquet.

    Examples
    --------
    >>> out_path("cube.parquet").name
    'cube.parquet'
    """
    out = Path(text)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise ValueError(f"--out must end in .csv or .parquet, got {out.name!r}")
    return out


def write_table(df, out: Path, *, for_csv: Callable | None = None) -> None:
    """Write ``df`` atomically to ``out`` (:func:`out_path`): .csv with dates as YYYY-MM-DD
    (after ``for_csv(df)`` if given, e.g. to format timestamps), else .parquet."""
    from ..store import atomic_path

    with atomic_path(out) as tmp:
        if out.suffix.lower() == ".csv":
            (df if for_csv is None else for_csv(df)).to_csv(tmp, index=False,
                                                             date_format="%Y-%m-%d")
        else:
            df.to_parquet(tmp, index=False)
