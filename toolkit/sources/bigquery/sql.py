"""The BigQuery SQL of the cube: GDELT's public events table, partition filter, checks.

:func:`bigquery_sql` is :func:`toolkit.aggregate.cube_sql` (the one definition of the cube)
with the ingestion-time partition filter on; nothing here talks to BigQuery, so these
functions work without the ``bigquery`` extra or an account.
"""

from __future__ import annotations

import logging
import re

import pandas as pd

from ... import aggregate as A

log = logging.getLogger("toolkit")

#: GDELT 2.0 Events, partitioned by ingestion day (see gdelt-facts §5).
TABLE = "gdelt-bq.gdeltv2.events_partitioned"
#: First day of GDELT 2.0 Events (first 15-minute file 2015-02-18 22:45 UTC).
FIRST_DAY = pd.Timestamp("2015-02-18")

# --------------------------------------------------------------------------- SQL
# GCP project ids: 6-30 lowercase letters, digits and hyphens, starting with a letter, not
# ending with a hyphen (optionally domain-scoped, "example.com:my-project"); dataset ids:
# letters, digits, underscores; table ids are kept to letters, digits, underscores, hyphens.
_PROJECT_RE = r"(?:[a-z0-9][a-z0-9.-]{0,62}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]"
_TABLE_RE = re.compile(rf"({_PROJECT_RE})\.([A-Za-z0-9_]{{1,1024}})\.([A-Za-z0-9_-]{{1,1024}})")
_TABLE_FORM = ("project.dataset.table, e.g. 'gdelt-bq.gdeltv2.events_partitioned' (project: "
               "6-30 lowercase letters, digits or hyphens, starting with a letter; dataset: "
               "letters, digits, underscores; table: letters, digits, underscores, hyphens; "
               "no backquotes, spaces or comments)")


def check_table(table: str) -> str:
    """Validate a BigQuery table reference; returns it unchanged.

    The reference goes into the SQL text (BigQuery cannot bind table names as parameters), so
    only a plain ``project.dataset.table`` is accepted: anything else could end the table
    name and comment out or replace the partition filter that bounds the scan (and the bill).

    Raises
    ------
    ValueError
        ``table`` is not ``project.dataset.table`` with the characters GCP allows.

    Examples
    --------
    >>> check_table("gdelt-bq.gdeltv2.events_partitioned")
    'gdelt-bq.gdeltv2.events_partitioned'
    >>> check_table("gdelt-bq.gdeltv2.events` --")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: table='gdelt-bq.gdeltv2.events` --' is not a BigQuery table reference; ...
    """
    if not isinstance(table, str) or not _TABLE_RE.fullmatch(table):
        raise ValueError(f"table={table!r} is not a BigQuery table reference; give "
                         f"{_TABLE_FORM}")
    return table


def _table_ref(table: str) -> str:
    return f"`{check_table(table)}`"


def _check_pad(pad_days) -> int:
    if isinstance(pad_days, bool) or not isinstance(pad_days, int) or not 0 <= pad_days <= 60:
        raise ValueError(f"pad_days={pad_days!r} must be a whole number of days from 0 to 60 "
                         f"(default {A.DEFAULT_PAD_DAYS})")
    return pad_days


def _check_range(start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    from ...dates import parse_range

    s, e = parse_range(start, end)
    if s is None or e is None:
        raise ValueError("BigQuery queries need both start and end days, e.g. "
                         "start='2024-01-01', end='2024-12-31'")
    if e < FIRST_DAY:
        raise ValueError(f"GDELT 2.0 Events start on {FIRST_DAY:%Y-%m-%d}; end {e:%Y-%m-%d} is "
                         "before that")
    if s < FIRST_DAY:
        log.warning("toolkit: GDELT 2.0 Events start on %s; using that instead of %s",
                    f"{FIRST_DAY:%Y-%m-%d}", f"{s:%Y-%m-%d}")
    return max(s, FIRST_DAY), e


def bigquery_sql(start, end, *, actors=None, date_basis: str = "sqldate",
                 pad_days: int = A.DEFAULT_PAD_DAYS, table: str = TABLE) -> str:
    """The BigQuery SQL that builds the dyad cube for [start, end] on GDELT's public table.

    It is :func:`toolkit.aggregate.cube_sql` (the one definition of the cube) with the
    ingestion-time partition filter on: only the partitions of [start, end + ``pad_days``] are
    scanned, only the 14 columns the cube needs are read, and the actor filter sits in the
    scan's WHERE clause.

    Parameters
    ----------
    start, end : str or date
        Inclusive day range (``"YYYY-MM-DD"``) on the chosen date basis.
    actors : iterable of str or str, optional
        CAMEO actor country codes (default RUS, KOR, PRK).
    date_basis : {"sqldate", "dateadded"}
        Date events by when they happened (default) or when GDELT published them.
    pad_days : int
        Extra partition days scanned after ``end`` for ``sqldate`` (late reports), default 7.
    table : str
        Table to query (default :data:`TABLE`): ``project.dataset.table`` only, checked by
        :func:`check_table` (``ValueError`` otherwise).

    Returns
    -------
    str
        BigQuery Standard SQL whose result has the columns of :data:`toolkit.schema.CUBE`.

    Examples
    --------
    >>> sql = bigquery_sql("2024-01-01", "2024-01-31")
    >>> "_PARTITIONTIME >= TIMESTAMP('2024-01-01')" in sql
    True
    """
    s, e = _check_range(start, end)
    _check_pad(pad_days)
    return A.cube_sql(s, e, actors=actors, table=_table_ref(table), date_basis=date_basis,
                      partition=True, pad_days=pad_days)


def bigquery_totals_sql(start, end, *, date_basis: str = "sqldate",
                        pad_days: int = A.DEFAULT_PAD_DAYS, table: str = TABLE) -> str:
    """BigQuery SQL for the daily totals over ALL events (reads 2 columns; cheap).

    Parameters as :func:`bigquery_sql`. Result columns: those of
    :data:`toolkit.schema.DAILY_TOTALS`.
    """
    s, e = _check_range(start, end)
    _check_pad(pad_days)
    return A.totals_sql(s, e, table=_table_ref(table), date_basis=date_basis, partition=True,
                        pad_days=pad_days)


def select_star_sql(start, end, *, date_basis: str = "sqldate",
                    pad_days: int = A.DEFAULT_PAD_DAYS, table: str = TABLE) -> str:
    """``SELECT *`` over the same partitions: for comparison only (what column pruning saves).

    Never run it: dry-run it (:func:`estimate_bigquery` does) to see its price.
    """
    s, e = _check_range(start, end)
    _check_pad(pad_days)
    part = A._where(A._check_basis(date_basis), s, e, True, pad_days)[0]
    return f"SELECT *\nFROM {_table_ref(table)}\nWHERE {part}"
