"""A model of what BigQuery bills: logical bytes of the columns a query reads.

BigQuery's on-demand price is per byte of every column referenced, over every row of the
partitions scanned, whatever the filters and however few rows come back. Logical sizes per
value (Google's "data size calculation"): INT64 and FLOAT64 8 bytes, STRING 2 bytes + its
UTF-8 length, TIMESTAMP 8 bytes, NULL 0 bytes.

This module turns that rule into numbers without an account: the benchmark
(``benchmarks/bench_bigquery.py``) measures average bytes per row and column on a real GDELT
2.0 export and compares the cube's pruned query with ``SELECT *``. These are ESTIMATES from a
model; only a dry run (``toolkit bigquery estimate``) gives BigQuery's own figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from ..events.index import V2_COLUMNS

#: GDELT 2.0 Events columns with their BigQuery types, in export-file order (the one column
#: list of :mod:`toolkit.sources.events.index`).
GDELT2_TYPES: dict[str, str] = {
    name: {"I": "INT64", "F": "FLOAT64", "S": "STRING"}[t] for name, t in V2_COLUMNS
}
GDELT2_COLUMNS: tuple[str, ...] = tuple(GDELT2_TYPES)
_FIXED = {"INT64": 8, "FLOAT64": 8, "TIMESTAMP": 8}


def column_bytes(series: pd.Series, bq_type: str) -> int:
    """Logical bytes BigQuery counts for one column's values (NULL / blank = 0 bytes).

    Blank fields of GDELT's files are counted as NULL, assuming they are loaded as NULL.

    Examples
    --------
    >>> column_bytes(pd.Series(["RUS", None, "KOR"]), "STRING")
    10
    """
    present = series.notna()
    if bq_type in _FIXED:
        return int(present.sum()) * _FIXED[bq_type]
    return sum(2 + len(v.encode("utf-8")) for v in series[present].astype(str) if v != "")


def bytes_per_row(events: pd.DataFrame, columns: Iterable[str] | None = None) -> dict[str, float]:
    """Average logical bytes per row of each GDELT column of ``events`` (or of ``columns``)."""
    cols = list(columns) if columns is not None else [c for c in GDELT2_COLUMNS
                                                      if c in events.columns]
    n = max(len(events), 1)
    return {c: column_bytes(events[c], GDELT2_TYPES[c]) / n for c in cols}


def referenced_columns(sql: str) -> set[str]:
    """GDELT columns a BigQuery-dialect query reads (all of them for ``SELECT *``)."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="bigquery")
    if any(p.is_star for sel in tree.find_all(exp.Select) for p in sel.expressions):
        return set(GDELT2_COLUMNS)
    return {c.name for c in tree.find_all(exp.Column) if c.name in GDELT2_TYPES}


_PART = re.compile(r"_PARTITIONTIME\s*(>=|<)\s*TIMESTAMP\('(\d{4}-\d{2}-\d{2})'\)")


def partition_window(sql: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The [lo, hi) ingestion-day window of a query's ``_PARTITIONTIME`` filter.

    Raises
    ------
    ValueError
        When the query has no complete partition filter (it would scan the whole table).
    """
    found = dict((op, pd.Timestamp(day)) for op, day in _PART.findall(sql))
    if set(found) != {">=", "<"}:
        raise ValueError("query has no complete _PARTITIONTIME filter; it would scan the whole "
                         "table")
    return found[">="], found["<"]


def query_bytes(sql: str, events: pd.DataFrame) -> int:
    """Modelled bytes processed by ``sql`` over ``events`` (GDELT columns + ``DATEADDED``).

    Rows are assigned to ingestion partitions by the UTC day of ``DATEADDED``; every row of the
    scanned partitions counts, for every referenced column.
    """
    lo, hi = partition_window(sql)
    part = pd.to_datetime((events["DATEADDED"] // 1_000_000).astype(str), format="%Y%m%d")
    scanned = events[(part >= lo) & (part < hi)]
    return sum(column_bytes(scanned[c], GDELT2_TYPES[c])
               for c in sorted(referenced_columns(sql)) if c in scanned.columns)


#: MODEL (an estimate, not BigQuery's figure): average logical bytes per row of each column,
#: measured with :func:`bytes_per_row` on ONE real GDELT 2.0 export (2019-10-24 14:30 UTC,
#: 2,111 rows; blanks counted as NULL). Sum ≈ 447 bytes/row, close to GDELT's own 2016 figure
#: for the BigQuery table (63 GB / 159 M rows ≈ 396 bytes/row). ``make bench`` re-measures it.
MODEL_BYTES_PER_ROW: dict[str, float] = {
    "GLOBALEVENTID": 8.0, "SQLDATE": 8.0, "MonthYear": 8.0, "Year": 8.0, "FractionDate": 8.0,
    "Actor1Code": 5.19, "Actor1Name": 9.93, "Actor1CountryCode": 3.06,
    "Actor1KnownGroupCode": 0.07, "Actor1EthnicCode": 0.02, "Actor1Religion1Code": 0.03,
    "Actor1Religion2Code": 0.0, "Actor1Type1Code": 2.11, "Actor1Type2Code": 0.19,
    "Actor1Type3Code": 0.01, "Actor2Code": 4.15, "Actor2Name": 8.03, "Actor2CountryCode": 2.41,
    "Actor2KnownGroupCode": 0.05, "Actor2EthnicCode": 0.04, "Actor2Religion1Code": 0.06,
    "Actor2Religion2Code": 0.0, "Actor2Type1Code": 1.69, "Actor2Type2Code": 0.11,
    "Actor2Type3Code": 0.0, "IsRootEvent": 8.0, "EventCode": 5.04, "EventBaseCode": 5.0,
    "EventRootCode": 4.0, "QuadClass": 8.0, "GoldsteinScale": 8.0, "NumMentions": 8.0,
    "NumSources": 8.0, "NumArticles": 8.0, "AvgTone": 8.0, "Actor1Geo_Type": 8.0,
    "Actor1Geo_FullName": 23.88, "Actor1Geo_CountryCode": 3.61, "Actor1Geo_ADM1Code": 4.92,
    "Actor1Geo_ADM2Code": 3.76, "Actor1Geo_Lat": 7.21, "Actor1Geo_Long": 7.21,
    "Actor1Geo_FeatureID": 6.49, "Actor2Geo_Type": 8.0, "Actor2Geo_FullName": 18.74,
    "Actor2Geo_CountryCode": 2.94, "Actor2Geo_ADM1Code": 3.96, "Actor2Geo_ADM2Code": 2.53,
    "Actor2Geo_Lat": 5.87, "Actor2Geo_Long": 5.87, "Actor2Geo_FeatureID": 5.16,
    "ActionGeo_Type": 8.0, "ActionGeo_FullName": 25.92, "ActionGeo_CountryCode": 3.93,
    "ActionGeo_ADM1Code": 5.37, "ActionGeo_ADM2Code": 3.47, "ActionGeo_Lat": 7.86,
    "ActionGeo_Long": 7.86, "ActionGeo_FeatureID": 7.05, "DATEADDED": 8.0, "SOURCEURL": 104.53,
}
#: MODEL assumption: rows per day in the BigQuery table. GDELT's published totals imply
#: ~290-340 k/day (159 M rows by mid-2016; 123 M in one year); the English export alone was
#: ~200 k/day in 2019 (2,111 rows × 96 files). Real volume varies by year.
MODEL_ROWS_PER_DAY = 300_000


def model_estimate(start, end, *, actors=None, date_basis: str = "sqldate",
                   pad_days: int | None = None, rows_per_day: int = MODEL_ROWS_PER_DAY,
                   bytes_per_column: dict[str, float] | None = None) -> dict:
    """MODELLED bytes of the cube, totals and ``SELECT *`` queries for [start, end].

    An offline ESTIMATE from :data:`MODEL_BYTES_PER_ROW` × ``rows_per_day`` × partition days
    scanned; BigQuery's own figure comes from a dry run (``toolkit bigquery estimate``).

    Returns
    -------
    dict
        ``days_scanned``, ``rows``, and bytes for ``cube``, ``totals``, ``select_star``, plus
        ``cube_and_totals`` and ``select_star_ratio`` (SELECT * / cube and totals).

    Examples
    --------
    >>> est = model_estimate("2024-01-01", "2024-12-31")
    >>> est["select_star"] > 3 * est["cube_and_totals"]
    True
    """
    from . import sql as B

    kw = {} if pad_days is None else {"pad_days": pad_days}
    sqls = {"cube": B.bigquery_sql(start, end, actors=actors, date_basis=date_basis, **kw),
            "totals": B.bigquery_totals_sql(start, end, date_basis=date_basis, **kw),
            "select_star": B.select_star_sql(start, end, date_basis=date_basis, **kw)}
    lo, hi = partition_window(sqls["cube"])
    days = (hi - lo).days
    rows = days * int(rows_per_day)
    per = bytes_per_column or MODEL_BYTES_PER_ROW
    out: dict = {"days_scanned": days, "rows": rows, "rows_per_day": int(rows_per_day)}
    for name, sql in sqls.items():
        out[name] = int(round(rows * sum(per[c] for c in referenced_columns(sql))))
    out["cube_and_totals"] = out["cube"] + out["totals"]
    out["select_star_ratio"] = out["select_star"] / out["cube_and_totals"]
    return out
