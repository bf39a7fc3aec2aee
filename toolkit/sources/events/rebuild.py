"""The local cube rebuilt from the stored rows: :func:`rebuild_cube`, :func:`upgrade_local_cube`.

The kept raw rows and per-file daily totals a fetch stores (:mod:`toolkit.sources.events.cache`)
are what the local cube is made of: its months under ``<data dir>/cubes/local/`` come from them
through the one aggregation (:func:`toolkit.aggregate.cube_sql`, run in DuckDB on a connection
kept for the session), so they can always be written again without downloading anything.
:func:`rebuild_cube` is the last step of every fetch (:mod:`toolkit.sources.events.fetch`) and
of :func:`upgrade_local_cube` (cubes cached before ``source_type``); :func:`_months_missing_cube`
and :func:`_months_without_manifest` tell the run which months to rebuild and which recorded
days nothing backs any more.
"""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ... import aggregate as A
from ... import config, store
from ... import schema as S
from ...actors import validate_actors
from . import cache as C
from .index import check_product

_ALL_DAYS = (pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31"))
_duck_lock = threading.Lock()
_duck: dict = {}


def _run_sql(sql: str, rows: pa.Table) -> pd.DataFrame:
    """:func:`toolkit.aggregate.run_duckdb` on a connection kept for the session.

    Same SQL, same transpilation, same coercion to the cube schema; only the DuckDB
    connection is reused, because opening one costs 0.1-1 s on a small shared machine, more
    than aggregating a month of kept rows.
    """
    import duckdb

    with _duck_lock:
        con = _duck.get("con")
        if con is None:
            con = _duck["con"] = duckdb.connect()
        con.register("events", rows)
        try:
            df = con.execute(A.to_duckdb(sql)).df()
        finally:
            con.unregister("events")
    return S.CUBE.empty() if len(df) == 0 else S.coerce(df, S.CUBE)


def rebuild_cube(data_dir, streams: list[str], actors: tuple[str, ...], date_basis: str,
                 months: list[str], days=None) -> list[str]:
    """Rebuild the local cube and daily totals of ``months`` from everything stored.

    The cube comes from the kept raw rows of ``streams`` through the one aggregation
    (:func:`toolkit.aggregate.cube_sql`, run in DuckDB); the totals from the per-file daily
    totals. Only complete days are written: ``days`` (a set of Timestamps), by default the
    days the store records as complete. Every month of ``months`` is written, empty if it
    has no such day. Returns the months written.
    """
    ddir = config.data_dir(data_dir)
    if days is None:
        days = {d for r in store.recorded_coverage(store="local", data_dir=ddir)
                for d in pd.date_range(r["start"], r["end"], freq="D")}
    days = {d for d in days if f"{d:%Y-%m}" in months}
    if not months:
        return []
    rows = C.read_all(ddir, streams, "rows", columns=list(A.INPUT_COLUMNS))
    # over every stored row, then cut to the complete days below: the SQL text is then the
    # same from run to run, so its transpilation is cached
    cube = _run_sql(A.cube_sql(*_ALL_DAYS, actors=actors, date_basis=date_basis), rows)
    tot = C.read_all(ddir, streams, "totals").to_pandas()
    tot = tot[tot["basis"] == date_basis]
    tot = (tot.assign(date=pd.to_datetime(tot["date"]))
           .groupby("date", as_index=False)[["total_events", "total_articles"]].sum())
    dd = pd.DatetimeIndex(sorted(days))
    cube = cube[cube["date"].isin(dd)]
    tot = S.coerce(tot[tot["date"].isin(dd)].reset_index(drop=True), S.DAILY_TOTALS)
    return store.write_cube(cube, tot, store="local", data_dir=ddir, months=list(months))


def upgrade_local_cube(data_dir=None) -> list[str]:
    """Rebuild the local cube months cached before the cube had ``source_type``.

    Cubes written before issue 16 lack the speaker's type (``Actor1Type1Code``). The kept raw
    rows are stored in full, so those months are rebuilt from them with the one aggregation,
    without downloading anything; a one-line :class:`UserWarning` says so. Called by
    :func:`toolkit.load_cube` for ``source="local"``; a no-op (reading only parquet footers)
    when every month is current. Returns the months rebuilt.
    """
    ddir = config.data_dir(data_dir)
    if not store.old_schema_months(store="local", data_dir=ddir):
        return []
    with store.lock(ddir), store.batched_sync():
        old = store.old_schema_months(store="local", data_dir=ddir)
        if not old:  # another process upgraded it meanwhile
            return []
        state = C.read_state(ddir)
        streams = [st.name for st in check_product(state.get("product") or "v2")]
        actors = tuple(state.get("actors") or validate_actors(None))
        store.begin_rewrite(old, store="local", data_dir=ddir)
        store.sync_now()
        done = rebuild_cube(ddir, streams, actors, state.get("date_basis") or "sqldate", old)
        store.sync_now()
        store.end_rewrite(store="local", data_dir=ddir)
    warnings.warn(f"toolkit: the local cube of {len(done)} month(s) ({done[0]}..{done[-1]}) "
                  "predates speaker types; rebuilt it with source_type from the stored rows "
                  "(nothing downloaded)", UserWarning, stacklevel=3)
    return done


def _months_missing_cube(ddir: Path, recorded: list[pd.Timestamp]) -> set[str]:
    """Months with recorded complete days whose cube or totals file is missing: rebuilt by
    this run from the stored rows (a cache file deleted or lost by hand)."""
    d = ddir / "cubes" / "local"
    return {m for m in {f"{x:%Y-%m}" for x in recorded}
            if not (d / f"cube-{m}.parquet").exists() or not (d / f"totals-{m}.parquet").exists()}


def _months_without_manifest(ddir: Path, streams, recorded: list[pd.Timestamp]) -> set[str]:
    """Months with recorded complete days for which no stream has a manifest (deleted or
    lost): nothing says what their days hold."""
    out = set()
    for m in {f"{x:%Y-%m}" for x in recorded}:
        if not any(C.manifest_path(ddir, st.name, m).exists() for st in streams):
            out.add(m)
    return out


__all__ = ["rebuild_cube", "upgrade_local_cube"]
