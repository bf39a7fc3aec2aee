"""The ONE definition of the dyad cube and the daily totals, as SQL.

The aggregation is written once, in BigQuery's SQL dialect, and run

* on Google BigQuery as it is (``toolkit.sources.bigquery``), and
* on local files through DuckDB after :func:`to_duckdb` transpiles it with ``sqlglot``
  (``toolkit.sources.events``),

so both engines compute the same cube from the same rows by construction (and a test checks).

Semantics
---------
* Dyad filter on the CAMEO **actor** fields: ``Actor1CountryCode IN actors AND
  Actor2CountryCode IN actors AND Actor1CountryCode != Actor2CountryCode`` (bilateral dyads
  only; blank/NULL codes never match). The FIPS geo fields (``ActionGeo_CountryCode`` "RS",
  "KS", "KN") are never used.
* The speaker's role is ``Actor1Type1Code`` (``source_type``; NULL/blank becomes ``""``), part
  of the key: summed over ``source_type`` the cube is the one keyed without it.
* Duplicated ``GLOBALEVENTID`` rows count once: the copy with the earliest ``DATEADDED`` (ties
  broken on the other columns, so the choice is deterministic).
* ``date_basis="sqldate"`` (default) dates an event by ``SQLDATE``, the day it happened;
  ``"dateadded"`` by the UTC day GDELT published it (``DATEADDED``; 14 digits in GDELT 2.0,
  8 digits in GDELT 1.0 daily files).
* Daily totals count ALL rows of the day (any actors, no de-duplication) and sum
  ``NumArticles``: the normalisation denominator.
* On BigQuery the ingestion-time partition filter (``_PARTITIONTIME``) spans
  [start, end + ``pad_days``] for ``sqldate``, because an event is published up to days after
  it happened, and [start, end + 1 day] for ``dateadded`` (a batch published at 23:45 UTC may be
  ingested after midnight). The day filter on the date basis then keeps exactly [start, end].
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import pandas as pd

from . import schema as S
from .actors import validate_actors

#: Raw GDELT columns the cube needs (all a BigQuery scan reads, besides the partition column).
INPUT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "DATEADDED", "Actor1CountryCode", "Actor2CountryCode",
    "IsRootEvent", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions",
    "NumSources", "NumArticles", "AvgTone", "Actor1Type1Code",
)
#: Raw columns the daily totals need.
TOTALS_INPUT_COLUMNS = ("SQLDATE", "DATEADDED", "NumArticles")
DATE_BASES = ("sqldate", "dateadded")
DEFAULT_PAD_DAYS = 7

# YYYYMMDD integer of the chosen date basis; GDELT 1.0 DATEADDED already is one.
_DAY_INT = {
    "sqldate": "SQLDATE",
    "dateadded": "CAST(SUBSTR(CAST(DATEADDED AS STRING), 1, 8) AS INT64)",
}


def _check_basis(date_basis: str) -> str:
    if date_basis not in DATE_BASES:
        raise ValueError(f"Unknown date_basis {date_basis!r}; choose one of {DATE_BASES}")
    return date_basis


def _day_bounds(start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    from .dates import parse_range

    s, e = parse_range(start, end)
    if s is None or e is None:
        raise ValueError("The cube SQL needs both start and end days")
    return s, e


def _where(date_basis: str, start: pd.Timestamp, end: pd.Timestamp,
           partition: bool, pad_days: int) -> list[str]:
    day = _DAY_INT[date_basis]
    where = [f"{day} BETWEEN {start:%Y%m%d} AND {end:%Y%m%d}"]
    if partition:
        # sqldate: events are published up to pad_days after they happen. dateadded: one
        # spare day, in case a late batch (23:45 UTC) lands in the next day's partition.
        hi = end + pd.Timedelta(days=1 + (pad_days if date_basis == "sqldate" else 1))
        where.insert(0, f"_PARTITIONTIME >= TIMESTAMP('{start:%Y-%m-%d}') "
                        f"AND _PARTITIONTIME < TIMESTAMP('{hi:%Y-%m-%d}')")
    return where


def dyad_conditions(actors) -> list[str]:
    """The WHERE conditions of a dyad between two different countries of ``actors`` (CAMEO)."""
    acts = ", ".join(f"'{a}'" for a in validate_actors(actors))
    return [f"Actor1CountryCode IN ({acts})", f"Actor2CountryCode IN ({acts})",
            "Actor1CountryCode != Actor2CountryCode"]


def deduped_events(table: str, where: list[str], columns) -> str:
    """The ``WITH ev AS (...)`` clause: one row per GLOBALEVENTID of ``table`` under ``where``.

    The one de-duplication rule of the cube and of :func:`toolkit.load_events`: a re-coded
    event keeps its earliest DATEADDED copy, ties broken by every other input column.
    """
    tiebreak = ", ".join(["DATEADDED"] + [c for c in INPUT_COLUMNS
                                          if c not in ("GLOBALEVENTID", "DATEADDED")])
    return f"""WITH ev AS (
  SELECT {", ".join(columns)}
  FROM {table}
  WHERE {(chr(10) + '    AND ').join(where)}
  QUALIFY ROW_NUMBER() OVER (PARTITION BY GLOBALEVENTID ORDER BY {tiebreak}) = 1
)"""


def cube_sql(start, end, *, actors: Iterable[str] | str | None = None, table: str = "events",
             date_basis: str = "sqldate", partition: bool = False,
             pad_days: int = DEFAULT_PAD_DAYS) -> str:
    """BigQuery-dialect SQL that aggregates raw GDELT events into the dyad cube.

    Parameters
    ----------
    start, end : str or date
        Inclusive day range on the chosen date basis.
    actors : iterable of str, optional
        CAMEO actor country codes (default RUS, KOR, PRK).
    table : str
        Table to read: ``events`` locally, or e.g.
        ```gdelt-bq.gdeltv2.events_partitioned``` on BigQuery.
    date_basis : {"sqldate", "dateadded"}
    partition : bool
        Add the ``_PARTITIONTIME`` filter (BigQuery's ingestion-time partitioned tables).
    pad_days : int
        Days the partition window extends past ``end`` for ``sqldate`` (events are published
        after they happen); ``dateadded`` always gets one spare day.

    Returns
    -------
    str
        SQL whose result has exactly the columns of :data:`toolkit.schema.CUBE`.

    Examples
    --------
    >>> "Actor1CountryCode IN ('RUS', 'KOR')" in cube_sql("2024-01-01", "2024-01-31",
    ...                                                   actors=["RUS", "KOR"])
    True
    """
    _check_basis(date_basis)
    s, e = _day_bounds(start, end)
    where = _where(date_basis, s, e, partition, pad_days) + dyad_conditions(actors)
    day = _DAY_INT[date_basis]
    return deduped_events(table, where, INPUT_COLUMNS) + f"""
SELECT
  PARSE_DATE('%Y%m%d', CAST({day} AS STRING)) AS date,
  Actor1CountryCode AS source,
  COALESCE(Actor1Type1Code, '') AS source_type,
  Actor2CountryCode AS target,
  EventRootCode AS root_code,
  QuadClass AS quad_class,
  COUNT(*) AS events,
  COUNTIF(IsRootEvent = 1) AS root_events,
  SUM(NumArticles) AS articles,
  SUM(NumMentions) AS mentions,
  SUM(NumSources) AS sources,
  SUM(GoldsteinScale) AS goldstein_sum,
  SUM(GoldsteinScale * NumArticles) AS goldstein_x_articles,
  SUM(AvgTone * NumArticles) AS tone_x_articles
FROM ev
GROUP BY date, source, source_type, target, root_code, quad_class
ORDER BY date, source, source_type, target, root_code, quad_class"""


def totals_sql(start, end, *, table: str = "events", date_basis: str = "sqldate",
               partition: bool = False, pad_days: int = DEFAULT_PAD_DAYS) -> str:
    """BigQuery-dialect SQL for the daily totals over ALL events (columns of
    :data:`toolkit.schema.DAILY_TOTALS`). Parameters as :func:`cube_sql`."""
    _check_basis(date_basis)
    s, e = _day_bounds(start, end)
    where = _where(date_basis, s, e, partition, pad_days)
    day = _DAY_INT[date_basis]
    return f"""SELECT
  PARSE_DATE('%Y%m%d', CAST({day} AS STRING)) AS date,
  COUNT(*) AS total_events,
  SUM(NumArticles) AS total_articles
FROM {table}
WHERE {(chr(10) + '  AND ').join(where)}
GROUP BY date
ORDER BY date"""


@functools.lru_cache(maxsize=64)
def to_duckdb(sql: str) -> str:
    """Transpile BigQuery-dialect SQL to DuckDB's dialect with sqlglot (cached per text)."""
    import sqlglot

    return sqlglot.transpile(sql, read="bigquery", write="duckdb")[0]


def run_duckdb(sql: str, tables: dict, schema: S.Schema | None = None) -> pd.DataFrame:
    """Run BigQuery-dialect ``sql`` in DuckDB over in-memory tables.

    Parameters
    ----------
    sql : str
        From :func:`cube_sql` or :func:`totals_sql`.
    tables : dict
        Table name -> pandas DataFrame or pyarrow Table (registered as views).
    schema : Schema, optional
        Coerce the result to this schema (:data:`~toolkit.schema.CUBE` or
        :data:`~toolkit.schema.DAILY_TOTALS`).
    """
    import duckdb

    con = duckdb.connect()
    try:
        # GDELT days are UTC; BigQuery's TIMESTAMP('YYYY-MM-DD') is UTC midnight, and sqlglot
        # turns it into a TIMESTAMPTZ cast that DuckDB reads in the session's time zone.
        con.execute("SET TimeZone = 'UTC'")
        for name, obj in tables.items():
            con.register(name, obj)
        df = con.execute(to_duckdb(sql)).df()
    finally:
        con.close()
    if schema is not None:
        if len(df) == 0:
            return schema.empty()
        df = S.coerce(df, schema)
    return df
