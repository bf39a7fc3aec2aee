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

#: GDELT 2.0 Events columns with their BigQuery types (gdelt-facts §1; I=INT64, F=FLOAT64,
#: S=STRING), in export-file order.
GDELT2_TYPES: dict[str, str] = dict(
    (name, {"I": "INT64", "F": "FLOAT64", "S": "STRING"}[t]) for name, t in (
        ("GLOBALEVENTID", "I"), ("SQLDATE", "I"), ("MonthYear", "I"), ("Year", "I"),
        ("FractionDate", "F"), ("Actor1Code", "S"), ("Actor1Name", "S"),
        ("Actor1CountryCode", "S"), ("Actor1KnownGroupCode", "S"), ("Actor1EthnicCode", "S"),
        ("Actor1Religion1Code", "S"), ("Actor1Religion2Code", "S"), ("Actor1Type1Code", "S"),
        ("Actor1Type2Code", "S"), ("Actor1Type3Code", "S"), ("Actor2Code", "S"),
        ("Actor2Name", "S"), ("Actor2CountryCode", "S"), ("Actor2KnownGroupCode", "S"),
        ("Actor2EthnicCode", "S"), ("Actor2Religion1Code", "S"), ("Actor2Religion2Code", "S"),
        ("Actor2Type1Code", "S"), ("Actor2Type2Code", "S"), ("Actor2Type3Code", "S"),
        ("IsRootEvent", "I"), ("EventCode", "S"), ("EventBaseCode", "S"),
        ("EventRootCode", "S"), ("QuadClass", "I"), ("GoldsteinScale", "F"),
        ("NumMentions", "I"), ("NumSources", "I"), ("NumArticles", "I"), ("AvgTone", "F"),
        ("Actor1Geo_Type", "I"), ("Actor1Geo_FullName", "S"), ("Actor1Geo_CountryCode", "S"),
        ("Actor1Geo_ADM1Code", "S"), ("Actor1Geo_ADM2Code", "S"), ("Actor1Geo_Lat", "F"),
        ("Actor1Geo_Long", "F"), ("Actor1Geo_FeatureID", "S"), ("Actor2Geo_Type", "I"),
        ("Actor2Geo_FullName", "S"), ("Actor2Geo_CountryCode", "S"),
        ("Actor2Geo_ADM1Code", "S"), ("Actor2Geo_ADM2Code", "S"), ("Actor2Geo_Lat", "F"),
        ("Actor2Geo_Long", "F"), ("Actor2Geo_FeatureID", "S"), ("ActionGeo_Type", "I"),
        ("ActionGeo_FullName", "S"), ("ActionGeo_CountryCode", "S"),
        ("ActionGeo_ADM1Code", "S"), ("ActionGeo_ADM2Code", "S"), ("ActionGeo_Lat", "F"),
        ("ActionGeo_Long", "F"), ("ActionGeo_FeatureID", "S"), ("DATEADDED", "I"),
        ("SOURCEURL", "S"),
    )
)
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
