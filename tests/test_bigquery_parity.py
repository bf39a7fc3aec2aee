"""Same rows, same cube: the local files pipeline versus the BigQuery SQL.

The events fixture of ``test_bigquery_sql`` is served as GDELT 2.0 15-minute export files
(one zip per DATEADDED batch, ``masterfilelist.txt`` with sizes and md5s) from a real HTTP
server on 127.0.0.1. ``toolkit.fetch_events`` downloads, parses, filters and aggregates them
into the local cube; the BigQuery query for the same range, transpiled to DuckDB, runs on the
same rows (with BigQuery's ingestion-day partitions simulated). The two cubes, the two daily
totals and an independent pandas computation must all be equal.

With ``date_basis="sqldate"`` BigQuery scans ``pad_days`` of partitions after ``end`` for late
reports; the local pipeline sees them when it fetches the files of those days too, so the local
fetch covers [start, end + pad_days] and both cubes are compared on [start, end].
"""

from __future__ import annotations

import pandas as pd
import pytest
from gdelt_mirror import Mirror, MirrorServer
from test_bigquery_sql import (
    END,
    GDELT2_COLUMNS,
    START,
    assert_cubes_equal,
    events_frame,
    expected_cube,
    expected_totals,
    fixture_rows,
    run_bigquery_sql_locally,
)

import toolkit
from toolkit import schema as S
from toolkit.aggregate import DEFAULT_PAD_DAYS
from toolkit.sources.bigquery import fetch as B


def _field(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


@pytest.fixture
def served_fixture(tmp_path):
    """The fixture rows as GDELT 2.0 export files, one per DATEADDED batch, on 127.0.0.1."""
    rows = fixture_rows()
    mirror = Mirror(tmp_path / "mirror")
    batches: dict[int, list[list[str]]] = {}
    for r in rows:
        batches.setdefault(r["DATEADDED"], []).append([_field(r[c]) for c in GDELT2_COLUMNS])
    for stamp, lines in sorted(batches.items()):
        mirror.add_v2(str(stamp), lines)
    mirror.write_index()
    server = MirrorServer(mirror).start()
    try:
        yield rows, server
    finally:
        server.stop()


@pytest.mark.parametrize("date_basis", ["sqldate", "dateadded"])
def test_local_pipeline_and_bigquery_sql_build_the_same_cube(served_fixture, data_dir,
                                                              date_basis):
    rows, server = served_fixture
    pad = DEFAULT_PAD_DAYS if date_basis == "sqldate" else 0
    local_end = pd.Timestamp(END) + pd.Timedelta(days=pad)
    report = toolkit.fetch_events(START, local_end, product="v2", data_dir=data_dir,
                                  base_url=server.url, workers=2, date_basis=date_basis,
                                  progress=False)
    assert not report.failed
    served = [r for r in rows if r["DATEADDED"] // 1_000_000 <= int(f"{local_end:%Y%m%d}")]
    assert report.rows_read == len(served)
    assert all(p.startswith("/gdeltv2/") for p in server.requests)

    local = toolkit.load_cube(START, END, source="local", data_dir=data_dir)
    local_totals = toolkit.load_daily_totals(START, END, source="local", data_dir=data_dir)

    df = events_frame(rows)
    bq = run_bigquery_sql_locally(B.bigquery_sql(START, END, date_basis=date_basis), df, S.CUBE)
    bq_totals = run_bigquery_sql_locally(B.bigquery_totals_sql(START, END,
                                                               date_basis=date_basis),
                                         df, S.DAILY_TOTALS)

    assert len(local) > 5
    assert_cubes_equal(local, bq)
    assert_cubes_equal(bq, expected_cube(df, date_basis=date_basis))
    pd.testing.assert_frame_equal(local_totals.reset_index(drop=True), bq_totals)
    pd.testing.assert_frame_equal(bq_totals, expected_totals(df, date_basis=date_basis))


def test_bigquery_cache_and_local_cache_load_identically(served_fixture, data_dir):
    """Both caches, filled from the same rows, give the same frame through load_cube."""
    from test_bigquery_client import FakeBigQueryClient

    rows, server = served_fixture
    toolkit.fetch_events(START, pd.Timestamp(END) + pd.Timedelta(days=DEFAULT_PAD_DAYS),
                         data_dir=data_dir, base_url=server.url, workers=2, progress=False)
    B.fetch_bigquery(START, END, client=FakeBigQueryClient(events=events_frame(rows)),
                     data_dir=data_dir, verbose=False)
    local = toolkit.load_cube(START, END, source="local", data_dir=data_dir)
    cloud = toolkit.load_cube(START, END, source="bigquery", data_dir=data_dir)
    assert (local.attrs["source"], cloud.attrs["source"]) == ("local", "bigquery")
    assert_cubes_equal(local, cloud)
    pd.testing.assert_frame_equal(
        toolkit.load_daily_totals(START, END, source="local", data_dir=data_dir),
        toolkit.load_daily_totals(START, END, source="bigquery", data_dir=data_dir))
