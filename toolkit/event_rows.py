"""The coded events behind the cube: one row per GDELT event, for every source.

:func:`load_events` returns the raw events that the dyad cube sums, de-duplicated exactly as
the cube is, so that **the events of any cube cell (date, source, target, root_code,
quad_class) aggregate exactly to that cell's** ``events``, ``articles``, ``goldstein_sum`` and
``tone_x_articles`` (and ``root_events``, ``mentions``, ``sources``, ``goldstein_x_articles``).

The query is written once, in BigQuery's dialect, next to the cube's (:func:`events_sql`
shares its WHERE clause, actor filter and ``QUALIFY ROW_NUMBER()`` de-duplication rule with
:func:`toolkit.aggregate.cube_sql`), and run

* ``local``: by DuckDB over the stored kept rows (``gdelt/<stream>/rows/*.parquet``): only the
  columns it names are read, and the day, dyad and root filters are pushed into the Parquet
  scan (row groups whose statistics exclude them are skipped), never whole files;
* ``bigquery``: on BigQuery by :func:`fetch_bigquery_events`, behind the same dry run and
  bytes ceiling as the cube, and cached under ``cubes/bigquery/events/``;
* ``demo``: not a query: SYNTHETIC events generated from the demo cube
  (:mod:`toolkit.sources.demo.events`).

``url`` is GDELT's ``SOURCEURL``: the first article GDELT saw reporting the event, not every
article (``num_articles`` counts those; the Mentions table lists them).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import aggregate as A
from . import config
from .actors import validate_actors
from .cameo import ROOT_CODES, event_description

#: Output column -> the raw GDELT column it comes from (None: computed).
RAW: dict[str, str | None] = {
    "GLOBALEVENTID": "GLOBALEVENTID",
    "date": None,
    "dateadded": "DATEADDED",
    "source": "Actor1CountryCode",
    "target": "Actor2CountryCode",
    "source_actor": "Actor1Code",
    "source_name": "Actor1Name",
    "source_type": "Actor1Type1Code",
    "target_actor": "Actor2Code",
    "target_name": "Actor2Name",
    "target_type": "Actor2Type1Code",
    "event_code": "EventCode",
    "event_description": None,
    "root_code": "EventRootCode",
    "quad_class": "QuadClass",
    "goldstein": "GoldsteinScale",
    "avg_tone": "AvgTone",
    "num_articles": "NumArticles",
    "num_mentions": "NumMentions",
    "num_sources": "NumSources",
    "is_root": "IsRootEvent",
    "action_geo": "ActionGeo_FullName",
    "url": "SOURCEURL",
}
#: The columns of :func:`load_events`, in order.
COLUMNS: list[str] = list(RAW)
_CODES = ("source", "target", "source_actor", "source_name", "source_type", "target_actor",
          "target_name", "target_type", "event_code", "event_description", "root_code",
          "action_geo", "url")
#: Columns whose NULL is "" (the cube's ``source_type`` is COALESCE(Actor1Type1Code, '')).
_BLANK_IS_EMPTY = ("source_type", "target_type")
_INTS = ("GLOBALEVENTID", "quad_class", "num_articles", "num_mentions", "num_sources")
_FLOATS = ("goldstein", "avg_tone")
#: The sources :func:`load_events` understands: those of :func:`toolkit.load_cube`.
SOURCES = config.SOURCES
#: How each concrete source's events are dated and what they are, for captions.
SYNTHETIC_NOTE = ("SYNTHETIC demo events: generated from the synthetic demo cube by "
                  "toolkit.sources.demo.events; not real GDELT events, and their URLs and "
                  "titles are placeholders")


# ---------------------------------------------------------------------------- arguments
def parse_dyads(dyads) -> list[tuple[str, str]] | None:
    """``["RUS→KOR", ("KOR", "RUS")]`` or ``"RUS→KOR,KOR-RUS"`` -> ``[("RUS", "KOR"), ...]``.

    Raises ValueError (one line, with the accepted forms) for anything else.
    """
    if dyads is None:
        return None
    if isinstance(dyads, str):
        dyads = [d for d in dyads.split(",") if d.strip()]
    elif isinstance(dyads, tuple) and len(dyads) == 2 and all(isinstance(x, str) and "→" not in x
                                                               and "-" not in x for x in dyads):
        dyads = [dyads]
    out: list[tuple[str, str]] = []
    for d in dyads:
        parts = ([p for p in d.replace("→", "-").replace(">", "-").split("-") if p.strip()]
                 if isinstance(d, str) else list(d))
        if len(parts) != 2:
            raise ValueError(f"Cannot read dyad {d!r}; give 'RUS→KOR', 'RUS-KOR' or "
                             "('RUS', 'KOR')")
        if str(parts[0]).strip().upper() == str(parts[1]).strip().upper():
            raise ValueError(f"Dyad {d!r} has the same source and target; give two countries")
        s, t = validate_actors([str(p).strip() for p in parts])
        if (s, t) not in out:
            out.append((s, t))
    if not out:
        raise ValueError("dyads is empty; give e.g. ['RUS→KOR'] or None for every dyad")
    return out


def parse_roots(root_codes) -> list[str] | None:
    """``13``, ``"13"``, ``[13, "14"]`` or ``"13,14"`` -> ``["13", "14"]`` (CAMEO roots)."""
    if root_codes is None:
        return None
    if isinstance(root_codes, str | int | np.integer):
        root_codes = [r for r in str(root_codes).split(",") if r.strip()]
    out = []
    for r in root_codes:
        c = str(r).strip().zfill(2)
        if c not in ROOT_CODES:
            raise ValueError(f"Unknown CAMEO root code {r!r}; give codes 01..20 (e.g. 13 "
                             "Threaten)")
        if c not in out:
            out.append(c)
    if not out:
        raise ValueError("root_codes is empty; give e.g. [13] or None for every root")
    return out


def _check_limit(limit) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 1:
        raise ValueError(f"limit={limit!r}; give a whole number of events ≥ 1, or None")
    return int(limit)


# ---------------------------------------------------------------------------- the SQL
def events_sql(start, end, *, actors: Iterable[str] | str | None = None, dyads=None,
               root_codes=None, table: str = "events", date_basis: str = "sqldate",
               partition: bool = False, pad_days: int = A.DEFAULT_PAD_DAYS,
               dedup_range: tuple | None = None, narrow: bool = False) -> str:
    """BigQuery-dialect SQL returning the cube's events of [start, end], one row per event.

    The ``ev`` step is :func:`toolkit.aggregate.cube_sql`'s: the same WHERE clause (days,
    partitions, actor set, bilateral) and the same ``QUALIFY ROW_NUMBER()`` de-duplication
    (earliest ``DATEADDED``, ties broken on the cube's input columns), so each event kept is
    the very row the cube counted. The day, dyad and root filters apply to the kept rows.

    Parameters
    ----------
    start, end : str or date
        Inclusive day range on the date basis.
    actors : iterable of str, optional
        The cube's actor set (default RUS, KOR, PRK): it decides which rows compete in the
        de-duplication, so give the set the cube was built with.
    dyads : list, optional
        Directed dyads (``"RUS→KOR"``); default every dyad among ``actors``.
    root_codes : list, optional
        CAMEO root codes (``"13"``); default all.
    table, date_basis, partition, pad_days
        As :func:`toolkit.aggregate.cube_sql`.
    dedup_range : (start, end), optional
        The day range the cube's own query de-duplicated over (default [start, end]); the
        local cube is built over every stored day, so the local source passes a wide range.
    narrow : bool
        Only let GLOBALEVENTIDs with at least one row matching the filters into the
        de-duplication (a semi-join; the same result, since de-duplication is per ID). Lets
        DuckDB push every filter into the Parquet scan; off for BigQuery, where the second
        scan would be billed.

    Examples
    --------
    >>> sql = events_sql("2026-02-21", "2026-02-21", dyads=["RUS→KOR"], root_codes=["13"])
    >>> "QUALIFY ROW_NUMBER() OVER (PARTITION BY GLOBALEVENTID" in sql
    True
    """
    A._check_basis(date_basis)
    s, e = A._day_bounds(start, end)
    ds, de = A._day_bounds(*dedup_range) if dedup_range is not None else (s, e)
    # exactly cube_sql's filter and ordering (a test runs both over the same rows)
    where = A._where(date_basis, ds, de, partition, pad_days) + A.dyad_conditions(actors)
    day = A._DAY_INT[date_basis]
    pick = [f"{day} BETWEEN {s:%Y%m%d} AND {e:%Y%m%d}"]
    pairs = parse_dyads(dyads)
    if pairs is not None:
        pick.append("(" + " OR ".join(
            f"(Actor1CountryCode = '{a}' AND Actor2CountryCode = '{b}')" for a, b in pairs) + ")")
    roots = parse_roots(root_codes)
    if roots is not None:
        pick.append(f"EventRootCode IN ({', '.join(repr(r) for r in roots)})")
    if narrow:
        sub_where = where + pick
        where = where + [(f"GLOBALEVENTID IN (SELECT GLOBALEVENTID FROM {table} WHERE "
                         + " AND ".join(sub_where) + ")")]
    raw = [c for c in RAW.values() if c is not None]
    cols = list(A.INPUT_COLUMNS) + [c for c in raw if c not in A.INPUT_COLUMNS]
    out = ",\n  ".join(
        f"PARSE_DATE('%Y%m%d', CAST({day} AS STRING)) AS date" if c == "date"
        # as the cube: no actor type is "" (not NULL), so events group into its cells
        else f"COALESCE({RAW[c]}, '') AS {c}" if c in _BLANK_IS_EMPTY
        else f"{RAW[c]} AS {c}" for c in COLUMNS if c != "event_description")
    return A.deduped_events(table, where, cols) + f"""
SELECT
  {out}
FROM ev
WHERE {(chr(10) + '  AND ').join(pick)}
ORDER BY num_articles DESC, GLOBALEVENTID"""


# ---------------------------------------------------------------------------- shaping
def _dateadded(v: pd.Series) -> pd.Series:
    """GDELT DATEADDED (YYYYMMDDhhmmss in 2.0, YYYYMMDD in 1.0) as UTC timestamps."""
    txt = pd.Series(v).astype("Int64").astype("string")
    long = txt.str.len() == 14
    out = pd.Series(pd.NaT, index=txt.index, dtype="datetime64[ns, UTC]")
    if long.any():
        out[long] = pd.to_datetime(txt[long], format="%Y%m%d%H%M%S", utc=True)
    short = ~long & txt.notna()
    if short.any():
        out[short] = pd.to_datetime(txt[short], format="%Y%m%d", utc=True)
    return out


def finish(df: pd.DataFrame) -> pd.DataFrame:
    """Raw query output -> the :data:`COLUMNS` frame with canonical dtypes, most-reported
    first (ties by GLOBALEVENTID)."""
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for c in COLUMNS:
        if c == "event_description":
            continue
        v = df[c].reset_index(drop=True) if c in df.columns else pd.Series([None] * len(df))
        if c == "date":
            v = pd.to_datetime(v).astype("datetime64[ns]")
        elif c == "dateadded":
            v = v if isinstance(v.dtype, pd.DatetimeTZDtype) else _dateadded(v)
        elif c in _INTS:
            v = v.fillna(0).astype(np.int64)
        elif c in _FLOATS:
            v = v.astype(np.float64)
        elif c == "is_root":
            v = v.fillna(0).astype(np.int64).astype(bool)
        else:
            v = v.astype("string")
            if c in _BLANK_IS_EMPTY:
                v = v.fillna("")
        out[c] = v.to_numpy() if c not in _CODES else v.array
    codes = out["event_code"].fillna(out["root_code"])
    text = {c: event_description(c) for c in codes.unique()}  # a few hundred codes, many rows
    out.insert(COLUMNS.index("event_description"), "event_description",
               pd.array([text[c] for c in codes], dtype="string"))
    out = out.sort_values(["num_articles", "GLOBALEVENTID"], ascending=[False, True],
                          kind="stable").reset_index(drop=True)
    return out[COLUMNS]


def aggregate(events: pd.DataFrame, key: Iterable[str] | None = None) -> pd.DataFrame:
    """Sum events into cube cells: the inverse of :func:`load_events`.

    Parameters
    ----------
    events : DataFrame
        From :func:`load_events`.
    key : list of str, optional
        Cell key (default :data:`toolkit.schema.CUBE`'s key; its names are event columns).

    Returns
    -------
    DataFrame
        One row per cell with the cube's sums: ``events``, ``root_events``, ``articles``,
        ``mentions``, ``sources``, ``goldstein_sum``, ``goldstein_x_articles``,
        ``tone_x_articles``.

    Examples
    --------
    >>> ev = load_events("2026-02-21", "2026-02-21", dyads="RUS→KOR", source="demo")
    >>> int(aggregate(ev)["events"].sum()) == len(ev)
    True
    """
    from . import schema as S

    key = list(S.CUBE.key if key is None else key)
    e = events.assign(
        events=1, root_events=events["is_root"].astype(np.int64),
        articles=events["num_articles"], mentions=events["num_mentions"],
        sources=events["num_sources"], goldstein_sum=events["goldstein"],
        goldstein_x_articles=events["goldstein"] * events["num_articles"],
        tone_x_articles=events["avg_tone"] * events["num_articles"])
    sums = ["events", "root_events", "articles", "mentions", "sources", "goldstein_sum",
            "goldstein_x_articles", "tone_x_articles"]
    return (e.groupby(key, dropna=False, sort=True)[sums].sum().reset_index())


# ---------------------------------------------------------------------------- sources
def _local(s, e, pairs, roots, data_dir) -> tuple[pd.DataFrame, dict]:
    import duckdb

    from .sources.events import cache as C

    ddir = config.data_dir(data_dir)
    state = C.read_state(ddir)
    basis = state.get("date_basis", "sqldate")
    kept = tuple(state.get("actors") or ())
    from .sources.events.index import is_mentions

    files = []
    for sd in sorted(C.root(ddir).glob("*/rows")):
        if not is_mentions(sd.parent.name):  # the export streams' rows, not the Mentions
            files += [str(p) for p in sorted(sd.glob("????-??.parquet"))]
    if not files or not kept:
        raise ValueError(f"The local cache {ddir} holds no stored GDELT rows; fetch some first, "
                         "e.g. `toolkit fetch events --start 2024-06-01 --end 2024-06-30`")
    # the local cube is built over every stored row (toolkit.sources.events.rebuild_cube),
    # so its de-duplication window is every day
    sql = events_sql(s, e, actors=kept, dyads=pairs, root_codes=roots, date_basis=basis,
                     dedup_range=("1900-01-01", "2199-12-31"), narrow=True)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        flist = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet([{flist}])")
        try:
            df = con.execute(A.to_duckdb(sql)).df()
        except duckdb.Error as exc:
            from .errors import CacheCorrupt

            raise CacheCorrupt(
                f"Cannot read the stored rows under {C.root(ddir)} ({str(exc).splitlines()[0]});"
                " delete the damaged rows file and the manifest of its month, then rerun the "
                "fetch for that month") from None
    finally:
        con.close()
    return df, {"source": "local", "synthetic": False, "date_basis": basis,
                "actors": list(kept), "dataset": state.get("product")}


def events_cache_key(start, end, dyads, roots, actors, date_basis) -> str:
    """File stem of a cached BigQuery events query: a hash of the request (range, dyads, roots,
    the cube's actor set, date basis), so that :func:`load_events` finds it again."""
    req = {"start": f"{pd.Timestamp(start):%Y-%m-%d}", "end": f"{pd.Timestamp(end):%Y-%m-%d}",
           "dyads": None if dyads is None else [f"{a}→{b}" for a, b in dyads],
           "roots": roots, "actors": sorted(actors), "date_basis": date_basis}
    return hashlib.sha256(json.dumps(req, sort_keys=True).encode()).hexdigest()[:24]


def _events_cache_path(s, e, pairs, roots, defaults: dict, data_dir):
    """``cubes/bigquery/events/<events_cache_key>.parquet`` of a request (its ``.json`` record
    beside it), under the BigQuery cube's actor set and date basis (:func:`_bq_defaults`)."""
    key = events_cache_key(s, e, pairs, roots, defaults["actors"], defaults["date_basis"])
    return config.data_dir(data_dir) / "cubes" / "bigquery" / "events" / f"{key}.parquet"


class EventsNotCached(ValueError):
    """``source="bigquery"``: the events cache holds no result of this query yet."""


def _bq_defaults(data_dir) -> dict:
    """Date basis, actor set, table and padding of the BigQuery cube (its latest fetch), so
    that the events query selects and de-duplicates as the cube's query did."""
    from .sources.bigquery import cache as BC
    from .sources.bigquery import sql as B

    recs = BC.fetches(data_dir)
    r = recs[-1] if recs else {}
    return {"date_basis": r.get("date_basis") or "sqldate",
            "actors": tuple(r.get("actors") or validate_actors(None)),
            "table": r.get("table") or B.TABLE,
            "pad_days": int(r.get("pad_days", A.DEFAULT_PAD_DAYS))}


def _bq_sql(s, e, pairs, roots, acts, date_basis, pad_days, table) -> str:
    from .sources.bigquery import sql as B

    B.check_table(table)
    return events_sql(s, e, actors=acts, dyads=pairs, root_codes=roots,
                      table=B._table_ref(table), date_basis=date_basis, partition=True,
                      pad_days=pad_days)


def _bigquery(s, e, pairs, roots, data_dir) -> tuple[pd.DataFrame, dict]:
    from .store import read_json

    d = _bq_defaults(data_dir)
    path = _events_cache_path(s, e, pairs, roots, d, data_dir)
    if not path.exists():
        dy = "" if pairs is None else " --dyad " + ",".join(f"{a}→{b}" for a, b in pairs)
        rt = "" if roots is None else " --root " + ",".join(roots)
        raise EventsNotCached(
            f"The BigQuery events cache holds no query for {s:%Y-%m-%d}..{e:%Y-%m-%d}{dy}{rt}; "
            "run it first (dry run, then within the bytes ceiling): toolkit events --source "
            f"bigquery --fetch --project YOUR_PROJECT --start {s:%Y-%m-%d} --end {e:%Y-%m-%d}"
            f"{dy}{rt} (or toolkit.fetch_bigquery_events(...))")
    from .store import read_parquet

    df = read_parquet(path)
    meta = path.with_suffix(".json")
    rec = read_json(meta, repair=f"delete {path} and {meta} and fetch again") \
        if meta.exists() else {}
    return df, {"source": "bigquery", "synthetic": False, "date_basis": d["date_basis"],
                "actors": list(d["actors"]), "job_id": rec.get("job_id"),
                "bytes_billed": rec.get("bytes_billed")}


def fetch_bigquery_events(start, end, *, dyads=None, root_codes=None,
                          project: str | None = None, max_gb: float | None = None,
                          data_dir=None, client=None, refresh: bool = False,
                          verbose: bool = True) -> dict:
    """Run :func:`events_sql` on BigQuery, after a dry run within the bytes ceiling, and cache
    the result so that ``load_events(..., source="bigquery")`` reads it.

    The query uses the date basis, actor set, table and partition padding of the BigQuery cube
    in the same data directory (its latest ``toolkit fetch bigquery``; defaults when there is
    none), so its events are the cube's. Same guards as :func:`toolkit.fetch_bigquery`: the
    dry run's estimate is compared with the ceiling (``max_gb``, default 50 GB) and the query
    refused (:class:`~toolkit.sources.bigquery.CostLimitExceeded`, nothing run) above it; the
    job itself carries ``maximum_bytes_billed``; a cached request is not sent again (unless
    ``refresh``). The cache holds ``cubes/bigquery/events/<hash of the request>.parquet`` and
    a ``.json`` record (SQL, job id, bytes), each written atomically.

    Parameters
    ----------
    start, end, dyads, root_codes
        As :func:`load_events`.
    project : str, optional
        Billing project (as :func:`toolkit.fetch_bigquery`).
    max_gb : float, optional
        Bytes ceiling in GB (10**9 bytes); default 50.
    data_dir : path, optional
        Cache directory.
    client : google.cloud.bigquery.Client, optional
        An existing client (default: one from Application Default Credentials).
    refresh : bool
        Run again even when cached.
    verbose : bool
        Print the dry run's estimate.

    Returns
    -------
    dict
        ``sql``, ``path``, ``rows``, ``estimated_bytes``, ``bytes_billed``, ``job_id``,
        ``already_cached``.

    Examples
    --------
    >>> fetch_bigquery_events("2026-02-21", "2026-02-27", dyads="RUS→KOR", root_codes=13,
    ...                       project="my-project")  # doctest: +SKIP
    """
    import datetime as _dt

    from .dates import parse_range
    from .sources.bigquery import fetch as B
    from .store import write_json_atomic, write_parquet_atomic

    s, e = parse_range(start, end)
    if s is None or e is None:
        raise ValueError("fetch_bigquery_events needs both start and end days")
    pairs, roots = parse_dyads(dyads), parse_roots(root_codes)
    d = _bq_defaults(data_dir)
    limit = B.max_bytes_from_gb(max_gb)
    sql = _bq_sql(s, e, pairs, roots, d["actors"], d["date_basis"], d["pad_days"], d["table"])
    path = _events_cache_path(s, e, pairs, roots, d, data_dir)
    if path.exists() and not refresh:
        if verbose:
            print(f"BigQuery events {s:%Y-%m-%d}..{e:%Y-%m-%d} already cached ({path}): "
                  "nothing was run or billed", flush=True)
        return {"sql": sql, "path": str(path), "rows": None, "estimated_bytes": 0,
                "bytes_billed": 0, "job_id": None, "already_cached": True}
    if client is None:
        client = B.make_client(project)
    n = B.dry_run(client, sql, max_bytes_billed=limit)
    usd = B.estimate_cost_usd(n)
    if verbose:
        print(f"BigQuery dry run (events {s:%Y-%m-%d}..{e:%Y-%m-%d}): {B.fmt_bytes(n)}, "
              f"~US$ {usd:,.4f}; ceiling {B.fmt_bytes(limit)}", flush=True)
    if max(n, B.MIN_BILLED_BYTES) > limit:
        raise B.CostLimitExceeded(
            f"Refusing to run: the events query for {s:%Y-%m-%d}..{e:%Y-%m-%d} would process "
            f"{B.fmt_bytes(n)}, above the ceiling of {B.fmt_bytes(limit)}. Narrow the date "
            "range, or raise the ceiling explicitly with max_gb / --max-gb",
            estimated_bytes=n, max_bytes_billed=limit)
    df, job = B._run(client, sql, max_bytes_billed=limit)
    billed = B._billed(job, limit)
    rec = {"sql": sql, "start": f"{s:%Y-%m-%d}", "end": f"{e:%Y-%m-%d}",
           "actors": list(d["actors"]), "date_basis": d["date_basis"], "table": d["table"],
           "estimated_bytes": int(n), "bytes_billed": int(billed),
           "maximum_bytes_billed": int(limit), "job_id": str(getattr(job, "job_id", "") or ""),
           "fetched_at": _dt.datetime.now(_dt.UTC).isoformat(), "rows": len(df)}
    # the record first, the rows last: the rows file is what marks the request as cached
    write_json_atomic(path.with_suffix(".json"), rec)
    write_parquet_atomic(df, path)
    return {"sql": sql, "path": str(path), "rows": len(df), "estimated_bytes": int(n),
            "bytes_billed": int(billed), "job_id": rec["job_id"], "already_cached": False}


def load_events(start, end, *, dyads=None, root_codes=None, source: str = "auto", actors=None,
                data_dir: str | os.PathLike | None = None, limit: int | None = None
                ) -> pd.DataFrame:
    """The coded events behind the cube, one row per event, most-reported first.

    Parameters
    ----------
    start, end : str or date
        Inclusive day range, on the cube's date basis (``SQLDATE`` by default).
    dyads : list or str, optional
        Directed dyads, e.g. ``["RUS→KOR"]`` or ``"RUS→KOR,KOR→RUS"`` (default: all).
    root_codes : list or str or int, optional
        CAMEO root codes, e.g. ``[13]`` for Threaten (default: all).
    source : {"auto", "demo", "local", "bigquery"}
        As :func:`toolkit.load_cube`; ``auto`` is ``local`` when the local cache holds the
        whole range, else the SYNTHETIC demo. ``bigquery`` reads the events cache filled by
        :func:`fetch_bigquery_events` (it never queries by itself).
    actors : list of str, optional
        Keep only events whose source and target are both among these codes.
    data_dir : path, optional
        Cache directory (default ``TOOLKIT_DATA_DIR`` or ``data/cache``).
    limit : int, optional
        Return only the first ``limit`` events (the most reported).

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`: ``GLOBALEVENTID``; ``date`` (the cube's date basis, a day);
        ``dateadded`` (UTC timestamp GDELT published it); ``source``/``target`` (CAMEO
        country codes), ``source_actor``/``source_name``/``source_type`` (Actor1Code,
        Actor1Name, Actor1Type1Code) and the same for the target; ``event_code`` and
        ``event_description`` (CAMEO text), ``root_code``, ``quad_class``; ``goldstein``
        (−10..+10), ``avg_tone``; ``num_articles``, ``num_mentions``, ``num_sources`` (counts);
        ``is_root`` (bool); ``action_geo`` (place name); ``url`` (``SOURCEURL``, the first
        article GDELT saw). ``attrs``: ``source``, ``synthetic``, ``date_basis``, ``start``,
        ``end``, ``dyads``, ``root_codes`` (+ ``note`` on the demo). The events of any cube
        cell sum exactly to that cell (:func:`aggregate`).

    Raises
    ------
    ValueError
        Unknown source, dyad, root code or actor; bad or reversed dates; a range the source
        does not hold (with what it holds and how to fetch the rest).

    Examples
    --------
    >>> import toolkit
    >>> ev = toolkit.load_events("2026-02-21", "2026-02-21", dyads="RUS→KOR", root_codes=13,
    ...                          source="demo")
    >>> ev.attrs["synthetic"], ev["url"].str.startswith("synthetic://").all()
    (True, True)
    """
    from . import cube as K

    s, e = K.parse_range(start, end)
    if s is None or e is None:
        raise ValueError("load_events needs both start and end days, e.g. "
                         "load_events('2026-02-21', '2026-02-21')")
    pairs, roots, lim = parse_dyads(dyads), parse_roots(root_codes), _check_limit(limit)
    acts = validate_actors(actors) if actors is not None else None
    requested = K._check_source(source)
    chosen = K.resolve_source(requested, s, e, data_dir=data_dir)
    if chosen == "bigquery":
        raw, attrs = _bigquery(s, e, pairs, roots, data_dir)
    else:
        s, e = K._days_held(chosen, requested, s, e, acts, data_dir)
        if chosen == "demo":
            from .sources.demo import events as demo_events

            cube = K.load_cube(s, e, source="demo")
            # a cell's events carry its source, target and root, and depend on its key only:
            # generate those of the cells asked for, not every cell's and then filter
            keep = np.ones(len(cube), bool)
            if pairs is not None:
                keep &= pd.MultiIndex.from_frame(cube[["source", "target"]].astype(str)
                                                 ).isin(pairs)
            if roots is not None:
                keep &= cube["root_code"].astype(str).isin(roots).to_numpy()
            raw = demo_events.events_from_cube(cube[keep])
            attrs = {"source": "demo", "synthetic": True, "note": SYNTHETIC_NOTE,
                     "date_basis": "sqldate"}
        else:
            raw, attrs = _local(s, e, pairs, roots, data_dir)
    ev = finish(raw)
    if acts is not None:
        ev = ev[ev["source"].isin(acts) & ev["target"].isin(acts)].reset_index(drop=True)
    if lim is not None:
        ev = ev.head(lim).reset_index(drop=True)
    attrs.update({"requested_source": requested, "start": f"{s:%Y-%m-%d}",
                  "end": f"{e:%Y-%m-%d}",
                  "dyads": None if pairs is None else [f"{a}→{b}" for a, b in pairs],
                  "root_codes": roots, "limit": lim})
    ev.attrs = attrs
    return ev
