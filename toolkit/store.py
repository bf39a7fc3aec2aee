"""The on-disk cache: atomic writes, locks, coverage records and the cached cubes.

Layout under the data directory (see :func:`toolkit.config.data_dir`)::

    <data_dir>/
      cubes/<store>/cube-YYYY-MM.parquet      dyad cube, one file per month
      cubes/<store>/totals-YYYY-MM.parquet    daily totals, one file per month
      cubes/<store>/coverage.json             date ranges this store holds completely
      .lock                                   file lock shared by every writer

``<store>`` is ``local`` for the GDELT files pipeline and ``bigquery`` for BigQuery results.
Every file is written to a temporary name in the same directory and renamed into place, so a
killed process never leaves a half-written file that a later run trusts.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
from filelock import FileLock

from . import schema as S
from .config import data_dir as _data_dir

STORES = ("local", "bigquery")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    Examples
    --------
    >>> with atomic_path("/tmp/x.txt") as tmp:  # doctest: +SKIP
    ...     tmp.write_text("hello")
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates 0600; give the file the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_json_atomic(path: str | os.PathLike, obj) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically."""
    write_bytes_atomic(path, json.dumps(obj, indent=2, sort_keys=True, default=str).encode())


def write_parquet_atomic(df: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``df`` to a parquet file atomically (zstd, no index)."""
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False, compression="zstd")


def lock(data_dir: str | os.PathLike | None = None, name: str = ".lock",
         timeout: float = -1) -> FileLock:
    """The inter-process lock that guards writes to a data directory.

    Two notebooks fetching into the same cache take turns instead of corrupting it.
    """
    return FileLock(str(_data_dir(data_dir) / name), timeout=timeout)


def _store_dir(data_dir, store: str) -> Path:
    if store not in STORES:
        raise ValueError(f"Unknown cube store {store!r}; choose one of {', '.join(STORES)}")
    return _data_dir(data_dir) / "cubes" / store


def write_cube(cube: pd.DataFrame, totals: pd.DataFrame, *, store: str = "local",
               data_dir: str | os.PathLike | None = None) -> list[str]:
    """Replace the cached months covered by ``cube``/``totals`` with their contents.

    Each month present in ``totals`` is rewritten whole (cube and totals files), so callers
    pass complete months rebuilt from everything they hold. Returns the months written.
    """
    cube = S.validate(S.coerce(cube, S.CUBE), S.CUBE)
    totals = S.validate(S.coerce(totals, S.DAILY_TOTALS), S.DAILY_TOTALS)
    d = _store_dir(data_dir, store)
    cm = cube["date"].dt.strftime("%Y-%m")
    tm = totals["date"].dt.strftime("%Y-%m")
    months = sorted(set(tm) | set(cm))
    for m in months:
        c = cube[cm == m].sort_values(list(S.CUBE.key)).reset_index(drop=True)
        t = totals[tm == m].sort_values("date").reset_index(drop=True)
        write_parquet_atomic(c, d / f"cube-{m}.parquet")
        write_parquet_atomic(t, d / f"totals-{m}.parquet")
    return months


def _month_files(d: Path, prefix: str, start, end) -> list[Path]:
    files = sorted(d.glob(f"{prefix}-????-??.parquet"))
    if start is not None:
        files = [f for f in files if f.stem[-7:] >= pd.Timestamp(start).strftime("%Y-%m")]
    if end is not None:
        files = [f for f in files if f.stem[-7:] <= pd.Timestamp(end).strftime("%Y-%m")]
    return files


def _read(schema: S.Schema, prefix: str, store: str, data_dir, start, end) -> pd.DataFrame:
    d = _store_dir(data_dir, store)
    files = _month_files(d, prefix, start, end)
    if not files:
        return schema.empty()
    df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    df = S.coerce(df, schema)
    if start is not None:
        df = df[df["date"] >= pd.Timestamp(start)]
    if end is not None:
        df = df[df["date"] <= pd.Timestamp(end)]
    return df.reset_index(drop=True)


def read_cube(*, store: str = "local", data_dir=None, start=None, end=None) -> pd.DataFrame:
    """Read the cached cube of ``store`` for [start, end] (inclusive days)."""
    return _read(S.CUBE, "cube", store, data_dir, start, end)


def read_totals(*, store: str = "local", data_dir=None, start=None, end=None) -> pd.DataFrame:
    """Read the cached daily totals of ``store`` for [start, end] (inclusive days)."""
    return _read(S.DAILY_TOTALS, "totals", store, data_dir, start, end)


def coverage(*, store: str = "local", data_dir=None) -> list[dict]:
    """Date ranges the store holds completely, as recorded by the fetchers.

    Returns a list of ``{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD", ...}`` dicts, merged so
    that overlapping or adjacent ranges are one.
    """
    p = _store_dir(data_dir, store) / "coverage.json"
    if not p.exists():
        return []
    return json.loads(p.read_text()).get("ranges", [])


def _merge_ranges(ranges: list[dict]) -> list[dict]:
    rs = sorted(ranges, key=lambda r: r["start"])
    out: list[dict] = []
    for r in rs:
        if out and pd.Timestamp(r["start"]) <= pd.Timestamp(out[-1]["end"]) + pd.Timedelta(days=1):
            if r["end"] > out[-1]["end"]:
                out[-1]["end"] = r["end"]
        else:
            out.append({"start": r["start"], "end": r["end"]})
    return out


def add_coverage(start: date | str, end: date | str, *, store: str = "local",
                 data_dir=None) -> list[dict]:
    """Record that the store now holds [start, end] completely; returns the merged ranges."""
    d = _store_dir(data_dir, store)
    new = {"start": pd.Timestamp(start).strftime("%Y-%m-%d"),
           "end": pd.Timestamp(end).strftime("%Y-%m-%d")}
    ranges = _merge_ranges(coverage(store=store, data_dir=data_dir) + [new])
    write_json_atomic(d / "coverage.json", {"ranges": ranges})
    return ranges


def covers(start, end, *, store: str = "local", data_dir=None) -> bool:
    """True when one recorded range of ``store`` contains all of [start, end].

    With ``start``/``end`` None, true when the store holds any range at all.
    """
    ranges = coverage(store=store, data_dir=data_dir)
    if not ranges:
        return False
    if start is None and end is None:
        return True
    s = pd.Timestamp(start) if start is not None else pd.Timestamp(ranges[0]["start"])
    e = pd.Timestamp(end) if end is not None else pd.Timestamp(ranges[-1]["end"])
    return any(pd.Timestamp(r["start"]) <= s and e <= pd.Timestamp(r["end"]) for r in ranges)
