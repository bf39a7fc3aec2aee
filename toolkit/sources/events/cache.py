"""Where the events pipeline keeps things, and how it rebuilds the local cube from them.

Layout under the data directory::

    gdelt/state.json                       actors kept so far, date basis and product of the cube
    gdelt/<stream>/index.txt               cached master file list (GDELT 2.0 streams)
    gdelt/<stream>/index.source            the base URL that list came from
    gdelt/<stream>/files/YYYY-MM/<name>    verified downloads (zips), unless keep_files=False
    gdelt/<stream>/manifest/YYYY-MM.json   one entry per file: ingested / gap / failed, size,
                                           md5, rows read / kept / malformed, actors filtered
    gdelt/<stream>/rows/YYYY-MM.parquet    kept raw rows (all columns + source_file),
                                           de-duplicated on GLOBALEVENTID
    gdelt/<stream>/totals/YYYY-MM.parquet  per-file daily totals over ALL rows, both date bases

``<stream>`` is ``v2``, ``v2-translation`` or ``v1``; ``YYYY-MM`` is the month the file was
published. With ``mentions=True`` the Mentions streams ``v2-mentions`` and
``v2-translation-mentions`` are stored the same way (their master file list is the export
stream's ``index.txt``): ``rows/`` holds the mentions of kept events (16 columns +
``source_file``, :data:`~toolkit.sources.events.parse.MENTIONS_SCHEMA`, not de-duplicated),
``totals/`` the mentions per day of each file (basis ``mentiontime``), and
``coverage.json`` the days whose every Mentions file is ingested or a settled gap.

Every file is replaced atomically, rows and totals before the manifest, and a file's old rows
are dropped (by ``source_file``) whenever it is ingested again, so a run killed at any point
leaves nothing counted twice: the rerun re-ingests whatever the manifest does not list as done.
A file that cannot be read raises :class:`toolkit.errors.CacheCorrupt` naming it and the
repair.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ...errors import CacheCorrupt
from ...store import read_json, write_bytes_atomic, write_json_atomic
from .index import is_mentions
from .parse import KEPT_SCHEMA, MENTIONS_SCHEMA, TOTALS_SCHEMA


def root(data_dir: Path) -> Path:
    return data_dir / "gdelt"


def stream_dir(data_dir: Path, stream: str) -> Path:
    return root(data_dir) / stream


def rows_schema(stream: str) -> pa.Schema:
    """Schema of the stored ``rows`` of ``stream``: kept events, or kept mentions."""
    return MENTIONS_SCHEMA if is_mentions(stream) else KEPT_SCHEMA


def file_path(data_dir: Path, stream: str, month: str, name: str) -> Path:
    return stream_dir(data_dir, stream) / "files" / month / name


def read_state(data_dir: Path) -> dict:
    p = root(data_dir) / "state.json"
    if not p.exists():
        return {}
    doc = read_json(p, repair="delete it and rerun the fetch with the same --product "
                              "(the actors of the cube are then those of that run)")
    if not isinstance(doc, dict):
        raise CacheCorrupt(f"{p} is not the events state (a JSON object); delete it and "
                           "rerun the fetch")
    return doc


def write_state(data_dir: Path, state: dict) -> None:
    write_json_atomic(root(data_dir) / "state.json", state, durable=True)


def manifest_path(data_dir: Path, stream: str, month: str) -> Path:
    return stream_dir(data_dir, stream) / "manifest" / f"{month}.json"


def read_manifest(data_dir: Path, stream: str, month: str) -> dict:
    p = manifest_path(data_dir, stream, month)
    if not p.exists():
        return {}
    repair = (f"delete it and rerun the fetch for {month} (its files are then re-parsed from "
              "the kept zips or downloaded again)")
    doc = read_json(p, repair=repair)
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
        raise CacheCorrupt(f"{p} is not a manifest (no 'files' object); {repair}")
    return files


def write_manifest(data_dir: Path, stream: str, month: str, files: dict) -> None:
    # compact: json's C encoder (indent= falls back to pure Python, ~10x slower on the
    # ~3,000 entries of a month)
    doc = {"stream": stream, "month": month, "files": files}
    write_bytes_atomic(manifest_path(data_dir, stream, month),
                       json.dumps(doc, separators=(",", ":"), sort_keys=True).encode(),
                       durable=True)


def manifest_months(data_dir: Path, stream: str) -> list[str]:
    return sorted(p.stem for p in (stream_dir(data_dir, stream) / "manifest").glob("*.json"))


def manifest_entries(data_dir: Path, stream: str) -> Iterator[tuple[str, dict]]:
    """(file name, manifest entry) of every file in the stream's manifests, month by month."""
    for month in manifest_months(data_dir, stream):
        yield from read_manifest(data_dir, stream, month).items()


def clean_stale_temps(data_dir: Path, older_than: float = 0.0) -> int:
    """Delete ``.*.part`` temporary files left by killed runs; returns how many.

    Only call while holding the data directory's lock (no other writer is running).
    """
    n = 0
    now = time.time()
    for p in root(data_dir).rglob(".*.part"):
        try:
            if now - p.stat().st_mtime >= older_than:
                p.unlink()
                n += 1
        except OSError:
            pass
    return n


def _read_parquet(path: Path, schema: pa.Schema) -> pa.Table:
    if not path.exists():
        return schema.empty_table()
    return _guarded(pq.read_table, path, schema=schema)


def _guarded(read, path: Path, **kw) -> pa.Table:
    """``read(path, **kw)``; :class:`CacheCorrupt` naming ``path`` if it cannot be read."""
    try:
        return read(path, **kw)
    except (pa.ArrowInvalid, OSError) as exc:
        raise CacheCorrupt(f"{path} is damaged ({exc}); delete it and the manifest of the "
                           "same month, then rerun the fetch for that month") from None


def _write_parquet(table: pa.Table, path: Path) -> None:
    import io

    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    write_bytes_atomic(path, buf.getvalue(), durable=True)


def dedup_rows(rows: pa.Table) -> pa.Table:
    """Keep one row per GLOBALEVENTID: the earliest DATEADDED, ties broken as the cube SQL does.

    The rule matches :func:`toolkit.aggregate.cube_sql`'s ``QUALIFY ROW_NUMBER()`` (ordered by
    DATEADDED, then the other input columns), so de-duplicating here changes nothing there.
    """
    if rows.num_rows == 0:
        return rows
    ids = rows["GLOBALEVENTID"]
    if pc.count_distinct(ids).as_py() == rows.num_rows:
        return rows
    from ... import aggregate as A

    order = [c for c in A.INPUT_COLUMNS if c not in ("GLOBALEVENTID", "DATEADDED")]
    # NULLs first, as the cube SQL's ORDER BY (BigQuery's default for ASC)
    keys = [(c, "ascending", "at_start") for c in ["GLOBALEVENTID", "DATEADDED", *order,
                                                    "source_file"]]
    try:
        idx = pc.sort_indices(rows, sort_keys=keys)
    except (TypeError, ValueError, pa.ArrowInvalid):  # pyarrow < 25: one placement for all
        idx = pc.sort_indices(rows, sort_keys=[k[:2] for k in keys], null_placement="at_start")
    srt = rows.take(idx)
    sid = srt["GLOBALEVENTID"].to_numpy()
    import numpy as np

    first = np.ones(len(sid), bool)
    first[1:] = sid[1:] != sid[:-1]
    return srt.filter(pa.array(first))


def store_month(data_dir: Path, stream: str, month: str, replaced: set[str],
                rows: pa.Table, totals: pa.Table, entries: dict) -> None:
    """Replace the rows, totals and manifest entries of the files ``replaced`` in ``month``.

    ``rows``/``totals`` hold the new contributions of those files; ``entries`` their new
    manifest entries (files that became gaps or failed are in ``replaced`` too, with no rows).
    """
    d = stream_dir(data_dir, stream)
    rset = pa.array(sorted(replaced), pa.string())
    for sub, schema, new in (("rows", rows_schema(stream), rows),
                             ("totals", TOTALS_SCHEMA, totals)):
        p = d / sub / f"{month}.parquet"
        old = _read_parquet(p, schema)
        if old.num_rows:
            old = old.filter(pc.invert(pc.is_in(old["source_file"], value_set=rset)))
        merged = pa.concat_tables([old, new.cast(schema)])
        if sub == "rows" and not is_mentions(stream):
            merged = dedup_rows(merged)
        if merged.num_rows or p.exists():
            _write_parquet(merged, p)
    man = read_manifest(data_dir, stream, month)
    man.update(entries)
    write_manifest(data_dir, stream, month, man)


def read_all(data_dir: Path, streams, sub: str, columns: list[str] | None = None) -> pa.Table:
    """Concatenate ``rows`` or ``totals`` parquet files of the given streams."""
    schema = KEPT_SCHEMA if sub == "rows" else TOTALS_SCHEMA
    parts = []
    for s in streams:
        for p in sorted((stream_dir(data_dir, s) / sub).glob("????-??.parquet")):
            parts.append(_guarded(pq.read_table, p, columns=columns))
    if not parts:
        t = schema.empty_table()
        return t.select(columns) if columns else t
    return pa.concat_tables(parts)


def disk_usage(path: Path) -> int:
    """Bytes under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() \
        else 0


def month_of(name: str) -> str:
    """``YYYY-MM`` from a GDELT file name."""
    return f"{name[:4]}-{name[4:6]}"

