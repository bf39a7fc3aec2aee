"""BigQuery: one bytes ceiling per fetch, a checked ``table=``, a damaged fetch record (issue 13).

Uses the stand-in for ``google.cloud.bigquery.Client`` of ``test_bigquery_client`` (real
``QueryJobConfig`` objects, dry runs from the logical-size model, ``maximum_bytes_billed``
enforced as BigQuery does, queries run in DuckDB on the events fixture).
"""

from __future__ import annotations

import pytest

pytest.importorskip("google.cloud.bigquery", reason="install the [bigquery] extra")

from test_bigquery_client import FakeBigQueryClient, _no_real_google_auth  # noqa: E402, F401
from test_bigquery_sql import END, START, assert_cubes_equal, expected_cube  # noqa: E402

import toolkit  # noqa: E402
from toolkit.cli import main  # noqa: E402
from toolkit.errors import CacheCorrupt  # noqa: E402
from toolkit.sources.bigquery import fetch as B  # noqa: E402


class BillingClient(FakeBigQueryClient):
    """Bills what a job really processed (the base fake bills the dry run's figure)."""

    def __init__(self, *a, extra_billed: int = 0, **k):
        super().__init__(*a, **k)
        self.extra_billed = extra_billed  # e.g. BigQuery's rounding up, per job
        self.jobs = []

    def query(self, sql, job_config=None):
        job = super().query(sql, job_config)
        if not job_config.dry_run:
            job.total_bytes_billed = max(job.total_bytes_processed,
                                         B.MIN_BILLED_BYTES) + self.extra_billed
            self.jobs.append(job)
        return job


def _estimates(client):
    cube = client.bytes_for(B.bigquery_sql(START, END))
    totals = client.bytes_for(B.bigquery_totals_sql(START, END))
    return cube, totals


def _real(client):
    return [cfg for _, cfg in client.calls if not cfg.dry_run]


# --------------------------------------------------------------------------- per-fetch ceiling

def test_the_jobs_of_one_fetch_share_one_ceiling(data_dir):
    client = BillingClient(scale=10**4)
    cube_est, tot_est = _estimates(client)
    limit = 2 * 10**9
    B.fetch_bigquery(START, END, client=client, max_gb=2, verbose=False)
    cube_cfg, tot_cfg = _real(client)
    # the cube job may bill the ceiling minus what the totals query is estimated to need;
    # the totals job gets what the cube job left
    assert cube_cfg.maximum_bytes_billed == limit - max(tot_est, B.MIN_BILLED_BYTES)
    billed_cube = client.jobs[0].total_bytes_billed
    assert tot_cfg.maximum_bytes_billed == limit - billed_cube
    assert billed_cube + tot_cfg.maximum_bytes_billed == limit  # never more than max_gb
    assert cube_est > 0
    rec = B.fetches(data_dir)[0]
    assert rec["max_bytes_billed"] == limit
    assert [q["maximum_bytes_billed"] for q in rec["queries"]] == [
        cube_cfg.maximum_bytes_billed, tot_cfg.maximum_bytes_billed]


def test_underestimated_jobs_cannot_bill_more_than_the_ceiling_together(data_dir):
    """Dry runs underestimate: each job alone would fit under max_gb, both together not."""
    probe = BillingClient(scale=10**5)
    cube_est, tot_est = _estimates(probe)
    limit_gb = (cube_est + tot_est) * 1.05 / 1e9
    limit = int(limit_gb * 1e9)
    factor = limit / max(cube_est, tot_est) * 0.99  # each job's real bytes <= the ceiling
    assert factor * (cube_est + tot_est) > limit  # ... but not both together
    client = BillingClient(scale=10**5, actual_scale=factor)
    with pytest.raises(B.BigQueryError, match="exceeded limit for bytes billed"):
        B.fetch_bigquery(START, END, client=client, max_gb=limit_gb, verbose=False)
    assert sum(j.total_bytes_billed for j in client.jobs) <= limit
    assert B.fetches(data_dir) == []
    assert not list((data_dir / "cubes").glob("bigquery/cube-*.parquet"))


def test_the_10_mib_minimum_per_query_counts_in_the_sum(data_dir):
    """Two tiny queries are billed 10 MiB each: a 15 MB ceiling cannot hold both."""
    client = BillingClient()
    cube_est, tot_est = _estimates(client)
    assert cube_est + tot_est < 15 * 10**6 < 2 * B.MIN_BILLED_BYTES
    with pytest.raises(B.CostLimitExceeded, match="Refusing to run.*--max-gb 1"):
        B.fetch_bigquery(START, END, client=client, max_gb=0.015, verbose=False)
    assert _real(client) == [] and B.fetches(data_dir) == []
    est = B.estimate_bigquery(START, END, client=BillingClient(), max_gb=0.015)
    assert not est.within_limit and "ABOVE the ceiling" in est.summary()


def test_a_later_job_is_not_started_when_the_earlier_left_too_little(data_dir):
    # the cube job bills more than it processed (e.g. rounding): the totals query's share
    # falls below its estimate, so it is not started and nothing is cached
    client = BillingClient(scale=10**4, extra_billed=10**9)
    cube_est, tot_est = _estimates(client)
    limit_gb = (max(cube_est, B.MIN_BILLED_BYTES) + max(tot_est, B.MIN_BILLED_BYTES)
                + 5 * 10**8) / 1e9
    with pytest.raises(B.CostLimitExceeded, match="Stopped before the totals query.*nothing "
                                                  "was cached"):
        B.fetch_bigquery(START, END, client=client, max_gb=limit_gb, verbose=False)
    assert len(_real(client)) == 1 and B.fetches(data_dir) == []


def test_cli_fetch_jobs_share_max_gb(monkeypatch, data_dir, capsys):
    from google.cloud import bigquery

    made = []

    def factory(project=None, location=None, **kw):
        made.append(BillingClient(project or "p", location))
        return made[-1]

    monkeypatch.setattr(bigquery, "Client", factory)
    assert main(["fetch", "bigquery", "--project", "p", "--start", START, "--end", END,
                 "--max-gb", "0.5"]) == 0
    real = _real(made[-1])
    assert len(real) == 2
    billed_cube = made[-1].jobs[0].total_bytes_billed
    assert real[0].maximum_bytes_billed < 5 * 10**8
    assert billed_cube + real[1].maximum_bytes_billed == 5 * 10**8
    assert_cubes_equal(toolkit.load_cube(START, END, source="bigquery"),
                       expected_cube(made[-1].events))


# --------------------------------------------------------------------------- table=

@pytest.mark.parametrize("table", [
    "gdelt-bq.gdeltv2.events_partitioned` --",
    "`gdelt-bq.gdeltv2.events_partitioned`",
    "gdelt-bq.gdeltv2.events_partitioned /* no partition filter */",
    "gdelt-bq.gdeltv2.events_partitioned\nWHERE TRUE --",
    "gdelt-bq.gdeltv2.events_partitioned --",
    "gdelt-bq.gdeltv2.events partitioned",
    "gdeltv2.events_partitioned",
    "Gdelt-BQ.gdeltv2.events_partitioned",
    "gdelt-bq.gdeltv2.events_partitioned;DROP TABLE x",
    "",
    None,
])
def test_table_accepts_only_project_dataset_table(table, data_dir):
    client = FakeBigQueryClient()
    for call in (lambda: B.bigquery_sql(START, END, table=table),
                 lambda: B.bigquery_totals_sql(START, END, table=table),
                 lambda: B.estimate_bigquery(START, END, table=table, client=client),
                 lambda: B.fetch_bigquery(START, END, table=table, client=client,
                                          verbose=False)):
        with pytest.raises(ValueError, match=r"not a BigQuery table reference; give "
                                             r"project\.dataset\.table"):
            call()
    assert client.calls == [] and B.fetches(data_dir) == []


@pytest.mark.parametrize("table", ["gdelt-bq.gdeltv2.events_partitioned",
                                   "my-project-42.my_dataset.events-copy_2024",
                                   "example.com:my-project.ds.t"])
def test_valid_table_references_are_used_backquoted(table):
    sql = B.bigquery_sql(START, END, table=table)
    assert f"FROM `{table}`\n  WHERE _PARTITIONTIME >= TIMESTAMP('2024-03-01')" in sql


# --------------------------------------------------------------------------- damaged record

@pytest.mark.parametrize("content", [b"", b'{"fetches": [', b"[]", b'{"fetches": [{"x": 1}]}'])
def test_damaged_fetch_record_is_cache_corrupt_naming_the_file(data_dir, content, capsys):
    B.fetch_bigquery(START, END, client=FakeBigQueryClient(), verbose=False)
    path = data_dir / "cubes" / "bigquery" / "fetches.json"
    path.write_bytes(content)
    with pytest.raises(CacheCorrupt) as err:
        toolkit.load_cube(START, END, source="bigquery")
    msg = str(err.value)
    assert str(path) in msg and "delete the folder" in msg and msg.startswith("The BigQuery")
    with pytest.raises(CacheCorrupt):
        B.fetch_bigquery(START, END, client=FakeBigQueryClient(), verbose=False)
    assert main(["bigquery", "sql", "--start", START, "--end", END]) == 0  # needs no cache
    capsys.readouterr()


@pytest.mark.parametrize("max_gb", [float("inf"), float("nan"), 1e12, "inf"])
def test_the_ceiling_is_always_a_finite_number_of_bytes(max_gb, data_dir):
    client = FakeBigQueryClient()
    with pytest.raises(ValueError, match="max_gb"):
        B.fetch_bigquery(START, END, client=client, max_gb=max_gb, verbose=False)
    assert client.calls == []
