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
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
from filelock import FileLock

from . import schema as S
from .config import data_dir as _data_dir
from .errors import CacheCorrupt

STORES = ("local", "bigquery")


_sync = threading.local()


@contextlib.contextmanager
def batched_sync() -> Iterator[None]:
    """Flush this thread's durable cache writes to disk together, at :func:`sync_now` and
    at the end, instead of one ``fsync`` per file.

    One ``fsync`` costs ~10 ms on a laptop disk; a batch of files written just before costs
    about as much as one. Callers put :func:`sync_now` where the order of durability
    matters (data before the coverage that vouches for it).
    """
    outer = getattr(_sync, "paths", None)
    if outer is None:
        _sync.paths = []
    try:
        yield
    finally:
        if outer is None:
            try:
                sync_now()
            finally:
                _sync.paths = None


def sync_now() -> None:
    """Flush the files written under :func:`batched_sync` so far, and their directories
    (the renames), to disk."""
    paths = getattr(_sync, "paths", None)
    if not paths:
        return
    todo = list(dict.fromkeys(paths)) + list(dict.fromkeys(p.parent for p in paths))
    paths.clear()
    for p in todo:
        try:
            _fsync(p)
        except FileNotFoundError:  # replaced or removed since
            pass


def _fsync(path) -> None:
    """Flush the file or directory ``path`` to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, fsync: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    With ``fsync=True`` the bytes are flushed to the disk before the rename (or, under
    :func:`batched_sync`, with the batch), so that the file survives a power cut too, not
    only a killed process (cache records: manifests, coverage, stored rows and cubes).

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
        batch = getattr(_sync, "paths", None) if fsync else None
        if fsync and batch is None:
            _fsync(tmp_path)
        os.replace(tmp_path, path)
        if batch is not None:
            batch.append(path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes_atomic(path: str | os.PathLike, data: bytes, *, durable: bool = False) -> None:
    """Write ``data`` to ``path`` atomically; ``durable=True`` also flushes it to disk
    (see :func:`atomic_path`)."""
    with atomic_path(path, fsync=durable) as tmp:
        tmp.write_bytes(data)


def write_json_atomic(path: str | os.PathLike, obj, *, durable: bool = False) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically (``durable``: and to disk)."""
    write_bytes_atomic(path, json.dumps(obj, indent=2, sort_keys=True, default=str).encode(),
                       durable=durable)


def write_parquet_atomic(df: pd.DataFrame, path: str | os.PathLike, *,
                         durable: bool = False) -> None:
    """Write ``df`` to a parquet file atomically (zstd, no index; ``durable``: and to disk)."""
    with atomic_path(path, fsync=durable) as tmp:
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
               data_dir: str | os.PathLike | None = None,
               months: list[str] | None = None) -> list[str]:
    """Replace the cached months covered by ``cube``/``totals`` with their contents.

    Each month present in ``totals`` (or ``cube``, or listed in ``months``: written even if
    empty) is rewritten whole (cube and totals files), so callers pass complete months
    rebuilt from everything they hold. Returns the months written.
    """
    cube = S.validate(S.coerce(cube, S.CUBE), S.CUBE)
    totals = S.validate(S.coerce(totals, S.DAILY_TOTALS), S.DAILY_TOTALS)
    d = _store_dir(data_dir, store)
    cm = cube["date"].dt.strftime("%Y-%m")
    tm = totals["date"].dt.strftime("%Y-%m")
    months = sorted(set(tm) | set(cm) | set(months or ()))
    for m in months:
        c = cube[cm == m].sort_values(list(S.CUBE.key)).reset_index(drop=True)
        t = totals[tm == m].sort_values("date").reset_index(drop=True)
        write_parquet_atomic(c, d / f"cube-{m}.parquet", durable=True)
        write_parquet_atomic(t, d / f"totals-{m}.parquet", durable=True)
    return months


def _month_files(d: Path, prefix: str, start, end) -> list[Path]:
    files = sorted(d.glob(f"{prefix}-????-??.parquet"))
    if start is not None:
        files = [f for f in files if f.stem[-7:] >= pd.Timestamp(start).strftime("%Y-%m")]
    if end is not None:
        files = [f for f in files if f.stem[-7:] <= pd.Timestamp(end).strftime("%Y-%m")]
    return files


def old_schema_months(*, store: str = "local", data_dir=None) -> list[str]:
    """Months (``YYYY-MM``) whose cached cube file was written before the cube had the
    speaker's type (no ``source_type`` column: cubes cached before issue 16).

    Only the parquet footers are read. The local store rebuilds such months from its stored
    rows (:func:`toolkit.sources.events.upgrade_local_cube`); the BigQuery store holds no
    rows, so those months must be fetched again.
    """
    import pyarrow.parquet as pq

    out = []
    for f in _month_files(_store_dir(data_dir, store), "cube", None, None):
        try:
            names = pq.read_schema(f).names
        except (OSError, ValueError):
            continue  # damaged: read_cube names it
        if "source_type" not in names:
            out.append(f.stem[-7:])
    return out


def _read(schema: S.Schema, prefix: str, store: str, data_dir, start, end) -> pd.DataFrame:
    d = _store_dir(data_dir, store)
    files = _month_files(d, prefix, start, end)
    if not files:
        return schema.empty()
    parts = [read_parquet(f) for f in files]
    old = [f.stem[-7:] for f, p in zip(files, parts, strict=True)
           if prefix == "cube" and "source_type" not in p.columns]
    if old:
        raise S.SchemaError(
            f"The {store} cube cache holds {', '.join(old)} in the format before speaker types "
            "(no source_type column); "
            + ("fetch those months again: toolkit fetch bigquery --start ... --end ... "
               "--refresh (BigQuery stores no rows to rebuild them from)" if store == "bigquery"
               else "rerun toolkit fetch events for them (it rebuilds them from the stored "
                    "rows, without downloading)"))
    df = pd.concat(parts, ignore_index=True)
    df = S.coerce(df, schema)
    if start is not None:
        df = df[df["date"] >= pd.Timestamp(start)]
    if end is not None:
        df = df[df["date"] <= pd.Timestamp(end)]
    return df.reset_index(drop=True)


def read_parquet(path: Path, **kw) -> pd.DataFrame:
    """``pd.read_parquet`` that names a damaged cache file (:class:`CacheCorrupt`)."""
    import pyarrow as pa

    try:
        return pd.read_parquet(path, **kw)
    except (pa.ArrowInvalid, OSError) as exc:
        if isinstance(exc, OSError) and not path.exists():
            raise
        raise CacheCorrupt(f"{path} is damaged ({exc}); delete it and rerun the fetch "
                           "(toolkit fetch events rebuilds the month from what is stored)"
                           ) from None


def read_cube(*, store: str = "local", data_dir=None, start=None, end=None) -> pd.DataFrame:
    """Read the cached cube of ``store`` for [start, end] (inclusive days)."""
    return _read(S.CUBE, "cube", store, data_dir, start, end)


def read_totals(*, store: str = "local", data_dir=None, start=None, end=None) -> pd.DataFrame:
    """Read the cached daily totals of ``store`` for [start, end] (inclusive days)."""
    return _read(S.DAILY_TOTALS, "totals", store, data_dir, start, end)


_PENDING = "rewriting.json"


def begin_rewrite(months, *, store: str = "local", data_dir=None) -> None:
    """Record that the cube months ``months`` are about to be rewritten.

    Until :func:`end_rewrite`, :func:`coverage` leaves those months out, so a process
    killed half-way through rewriting them never leaves a covered day whose cube and
    totals disagree; the next fetch rebuilds them (:func:`pending_rewrite`).
    """
    d = _store_dir(data_dir, store)
    old = set(pending_rewrite(store=store, data_dir=data_dir))
    write_json_atomic(d / _PENDING, {"months": sorted(old | set(months))}, durable=True)


def end_rewrite(*, store: str = "local", data_dir=None) -> None:
    """The rewrite announced by :func:`begin_rewrite` is complete (coverage recorded)."""
    (_store_dir(data_dir, store) / _PENDING).unlink(missing_ok=True)


def pending_rewrite(*, store: str = "local", data_dir=None) -> list[str]:
    """Months (``YYYY-MM``) whose rewrite was begun and not finished (a killed run)."""
    p = _store_dir(data_dir, store) / _PENDING
    if not p.exists():
        return []
    doc = read_json(p, repair="delete it and rerun the fetch")
    months = doc.get("months") if isinstance(doc, dict) else None
    if not isinstance(months, list):
        raise CacheCorrupt(f"{p} is not a list of months; delete it and rerun the fetch")
    return [str(m) for m in months]


def coverage(*, store: str = "local", data_dir=None) -> list[dict]:
    """Date ranges the store holds completely, as recorded by the fetchers.

    Returns a list of ``{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD", ...}`` dicts, merged so
    that overlapping or adjacent ranges are one. Months whose cube a killed run was
    rewriting (:func:`begin_rewrite`) are left out until a fetch rebuilds them.
    """
    ranges = recorded_coverage(store=store, data_dir=data_dir)
    pending = pending_rewrite(store=store, data_dir=data_dir)
    if not pending or not ranges:
        return ranges
    days = [d for r in ranges for d in pd.date_range(r["start"], r["end"], freq="D")
            if f"{d:%Y-%m}" not in pending]
    return _merge_ranges([{"start": f"{d:%Y-%m-%d}", "end": f"{d:%Y-%m-%d}"} for d in days])


def recorded_coverage(*, store: str = "local", data_dir=None) -> list[dict]:
    """The ranges in ``coverage.json`` as written (see :func:`coverage`)."""
    p = _store_dir(data_dir, store) / "coverage.json"
    if not p.exists():
        return []
    doc = read_json(p, repair="delete it and rerun the fetch (what is stored is kept; "
                              "the coverage is recomputed)")
    ranges = doc.get("ranges") if isinstance(doc, dict) else None
    if not isinstance(ranges, list) or not all(
            isinstance(r, dict) and isinstance(r.get("start"), str)
            and isinstance(r.get("end"), str) for r in ranges):
        raise CacheCorrupt(f"{p} is not a coverage record (no list of start/end ranges); "
                           "delete it and rerun the fetch")
    return ranges


def parse_json(raw: bytes):
    """Parse a cache file's bytes; ValueError "the file is empty" or "not JSON: ..." otherwise.

    For callers that check the parsed shape too and then name the file in one
    :class:`~toolkit.errors.CacheCorrupt` message of their own.
    """
    if not raw.strip():
        raise ValueError("the file is empty")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc}") from None


def read_json(path: Path, *, repair: str):
    """Parse the JSON cache file ``path``; :class:`CacheCorrupt` naming it when it is damaged.

    ``repair`` says what to do (e.g. "delete it and rerun the fetch"); it ends the message.
    """
    try:
        return json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise CacheCorrupt(f"{path} is damaged ({exc.__class__.__name__}: {exc}); "
                           f"{repair}") from None


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
    ranges = _merge_ranges(recorded_coverage(store=store, data_dir=data_dir) + [new])
    write_json_atomic(d / "coverage.json", {"ranges": ranges}, durable=True)
    return ranges


def set_coverage(start: date | str, end: date | str, days, *, store: str = "local",
                 data_dir=None) -> list[dict]:
    """Make the days of [start, end] covered exactly when they are in ``days``.

    Days outside [start, end] keep their record. Used by a fetch to record what it found
    complete, and to withdraw days that are no longer trustworthy (data missing, manifest
    disagreeing). Returns the merged ranges.
    """
    d = _store_dir(data_dir, store)
    old = recorded_coverage(store=store, data_dir=data_dir)
    ranges = _replace_days(old, start, end, days)
    if ranges != old:
        write_json_atomic(d / "coverage.json", {"ranges": ranges}, durable=True)
    return ranges


def _replace_days(ranges: list[dict], start, end, days) -> list[dict]:
    """``ranges`` with the days of [start, end] covered exactly when they are in ``days``
    (days outside keep their record), merged: the rule of :func:`set_coverage` and of the
    Mentions coverage (:func:`toolkit.sources.events.mentions.set_mentions_coverage`)."""
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    keep = {pd.Timestamp(x).normalize() for x in days}
    out: list[dict] = []
    for r in ranges:
        rs, re_ = pd.Timestamp(r["start"]), pd.Timestamp(r["end"])
        if rs < lo:
            out.append({"start": r["start"], "end": min(re_, lo - pd.Timedelta(days=1))
                        .strftime("%Y-%m-%d")})
        if re_ > hi:
            out.append({"start": max(rs, hi + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
                        "end": r["end"]})
    out += [{"start": f"{x:%Y-%m-%d}", "end": f"{x:%Y-%m-%d}"} for x in sorted(keep)
            if lo <= x <= hi]
    return _merge_ranges(out)


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
