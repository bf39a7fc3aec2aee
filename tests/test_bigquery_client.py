"""The BigQuery client path at its boundary, offline and without credentials.

Only Google's service is replaced: ``FakeBigQueryClient`` stands in for
``google.cloud.bigquery.Client``. It receives the toolkit's real ``QueryJobConfig`` objects,
answers dry runs with bytes from the logical-size model (every referenced column over every
row of the scanned partitions), enforces ``maximum_bytes_billed`` the way BigQuery does, and
executes real queries by running the SQL in DuckDB on the events fixture.
"""

from __future__ import annotations

import itertools
import json
import sys

import pandas as pd
import pytest

pytest.importorskip("google.cloud.bigquery", reason="install the [bigquery] extra")

from google.api_core import exceptions as gexc  # noqa: E402
from google.auth.exceptions import DefaultCredentialsError  # noqa: E402
from google.cloud import bigquery  # noqa: E402
from test_bigquery_sql import (  # noqa: E402
    END,
    START,
    assert_cubes_equal,
    events_frame,
    expected_cube,
    expected_totals,
    fixture_rows,
    run_bigquery_sql_locally,
)

import toolkit  # noqa: E402
from toolkit import schema as S  # noqa: E402
from toolkit.cli import main  # noqa: E402
from toolkit.sources.bigquery import fetch as B  # noqa: E402
from toolkit.sources.bigquery import sizes as Z  # noqa: E402

_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_real_google_auth(monkeypatch):
    """Belt and braces: no test may look up real credentials (or probe a metadata server)."""
    import google.auth

    def blocked(*a, **k):
        raise DefaultCredentialsError("real credential lookup blocked in tests")

    monkeypatch.setattr(google.auth, "default", blocked)
    monkeypatch.setenv("NO_GCE_CHECK", "True")


class FakeJob:
    def __init__(self, client, sql, cfg):
        self.job_id = f"fake-job-{next(_ids)}"
        self.location = "US"
        self.cache_hit = False
        self._client, self._sql = client, sql
        self.total_bytes_processed = client.bytes_for(sql)
        self.total_bytes_billed = 0 if cfg.dry_run else max(self.total_bytes_processed,
                                                             B.MIN_BILLED_BYTES)

    def result(self):
        return FakeRows(self._client, self._sql)


class FakeRows:
    def __init__(self, client, sql):
        self._client, self._sql = client, sql

    def to_arrow(self, create_bqstorage_client=True):
        import pyarrow as pa

        assert create_bqstorage_client is False
        schema = S.CUBE if "Actor1CountryCode AS source" in self._sql else S.DAILY_TOTALS
        df = run_bigquery_sql_locally(self._sql, self._client.events, schema)
        df["date"] = df["date"].dt.date  # BigQuery DATE -> arrow date32
        return pa.Table.from_pandas(df, preserve_index=False)


class FakeBigQueryClient:
    """Stand-in for google.cloud.bigquery.Client (the service), recording every call."""

    def __init__(self, project="test-project", location=None, *, events=None, scale=1,
                 actual_scale=None, dry_run_enforces=False):
        self.project = project
        self.events = events if events is not None else events_frame(fixture_rows(),
                                                                      blank_as_null=True)
        self.scale = scale  # pretend the table is `scale` times bigger (same rows)
        self.actual_scale = actual_scale  # a real run processing more than the dry run said
        self.dry_run_enforces = dry_run_enforces  # dry runs above the ceiling answer an error
        self.calls: list[tuple[str, bigquery.QueryJobConfig]] = []

    def bytes_for(self, sql):
        return Z.query_bytes(sql, self.events) * self.scale

    def query(self, sql, job_config=None):
        assert isinstance(job_config, bigquery.QueryJobConfig)
        self.calls.append((sql, job_config))
        job = FakeJob(self, sql, job_config)
        limit = job_config.maximum_bytes_billed
        if job_config.dry_run and self.dry_run_enforces and job.total_bytes_processed > limit:
            raise gexc.BadRequest(f"Query exceeded limit for bytes billed: {limit}. "
                                  f"{job.total_bytes_processed} or higher required.")
        if not job_config.dry_run:
            if self.actual_scale:
                job.total_bytes_processed *= self.actual_scale
            limit = job_config.maximum_bytes_billed
            if limit is not None and job.total_bytes_processed > limit:
                raise gexc.BadRequest(f"Query exceeded limit for bytes billed: {limit}. "
                                      f"{job.total_bytes_processed} or higher required.")
        return job


@pytest.fixture
def fake_service(monkeypatch):
    """Replace google.cloud.bigquery.Client by the fake; yields the created clients."""
    made: list[FakeBigQueryClient] = []

    def factory(project=None, location=None, **kw):
        c = FakeBigQueryClient(project or "adc-default-project", location)
        made.append(c)
        return c

    monkeypatch.setattr(bigquery, "Client", factory)
    monkeypatch.delenv("TOOLKIT_BQ_PROJECT", raising=False)
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.delenv("TOOLKIT_BQ_USD_PER_TIB", raising=False)
    return made


# --------------------------------------------------------------------------- configuration
def test_dry_run_and_real_jobs_carry_the_ceiling(data_dir):
    client = FakeBigQueryClient()
    report = B.fetch_bigquery(START, END, client=client, max_gb=2, verbose=False)
    dry = [c for _, c in client.calls if c.dry_run]
    real = [c for _, c in client.calls if not c.dry_run]
    assert len(dry) == 2 and len(real) == 2  # dry run of cube + totals before running both
    assert [bool(c.dry_run) for _, c in client.calls] == [True, True, False, False]
    for cfg in dry + real:
        assert 0 < cfg.maximum_bytes_billed <= 2 * 10**9
        assert cfg.to_api_repr()["query"]["maximumBytesBilled"] == str(cfg.maximum_bytes_billed)
        assert cfg.labels == B.JOB_LABELS
    assert all(c.maximum_bytes_billed == 2 * 10**9 for c in dry)
    # the real jobs share the ONE ceiling of the fetch (tests/test_bigquery_faults.py)
    assert real[0].maximum_bytes_billed + B.MIN_BILLED_BYTES <= 2 * 10**9
    assert all(c.use_query_cache is False for c in dry)
    # the SQL sent is the one definition, with the partition filter
    assert client.calls[0][0] == B.bigquery_sql(START, END)
    assert client.calls[1][0] == B.bigquery_totals_sql(START, END)
    assert report.estimated_bytes == sum(client.bytes_for(s) for s, c in client.calls[:2])
    assert report.estimated_bytes > 0 and len(report.job_ids) == 2


def test_default_ceiling_is_50_gb():
    client = FakeBigQueryClient()
    est = B.estimate_bigquery(START, END, client=client)
    assert est.max_bytes_billed == 50 * 10**9 == B.max_bytes_from_gb(None)
    assert all(c.maximum_bytes_billed == 50 * 10**9 for _, c in client.calls)
    for bad in (0, -1, "lots"):
        with pytest.raises(ValueError, match="max_gb"):
            B.max_bytes_from_gb(bad)


def test_estimate_reports_bytes_cost_and_select_star_saving():
    client = FakeBigQueryClient(scale=10**6)
    est = B.estimate_bigquery(START, END, client=client)
    cube, totals = est.queries
    assert cube.bytes_processed > totals.bytes_processed > 0
    star = est.comparison
    assert star.bytes_processed > 2 * est.bytes_processed  # column pruning's saving
    assert est.usd == pytest.approx(sum(max(q.bytes_processed, B.MIN_BILLED_BYTES)
                                        for q in est.queries) / 2**40 * 6.25)
    text = est.summary()
    assert "SELECT *" in text and "US$ 6.25/TiB" in text and "within the ceiling" in text


def test_price_assumption_can_be_overridden(monkeypatch):
    monkeypatch.setenv("TOOLKIT_BQ_USD_PER_TIB", "5")
    assert B.estimate_cost_usd(2**40) == 5
    monkeypatch.setenv("TOOLKIT_BQ_USD_PER_TIB", "cheap")
    with pytest.raises(ValueError, match="TOOLKIT_BQ_USD_PER_TIB"):
        B.estimate_cost_usd(1)


# --------------------------------------------------------------------------- refusal
def test_refusal_when_estimate_exceeds_ceiling(data_dir):
    client = FakeBigQueryClient(scale=10**7)  # ~ the fixture times ten million
    with pytest.raises(B.CostLimitExceeded) as err:
        B.fetch_bigquery(START, END, client=client, max_gb=1, verbose=False)
    msg = str(err.value)
    assert "Refusing to run" in msg and "--max-gb" in msg and "above the ceiling" in msg
    assert err.value.estimated_bytes > err.value.max_bytes_billed == 10**9
    assert all(cfg.dry_run for _, cfg in client.calls), "nothing may run after a refusal"
    assert B.fetches(data_dir) == []
    # raising the ceiling explicitly lets it run
    need = err.value.estimated_bytes / 1e9
    B.fetch_bigquery(START, END, client=client, max_gb=need * 1.1, verbose=False)
    assert any(not cfg.dry_run for _, cfg in client.calls)


def test_refusal_when_bigquery_rejects_the_dry_run_over_the_ceiling(data_dir):
    client = FakeBigQueryClient(scale=10**7, dry_run_enforces=True)
    est = B.estimate_bigquery(START, END, client=client, max_gb=1)
    assert est.bytes_processed == sum(client.bytes_for(s) for s in (est.queries[0].sql,
                                                                    est.queries[1].sql))
    assert not est.within_limit
    with pytest.raises(B.CostLimitExceeded, match="Refusing to run"):
        B.fetch_bigquery(START, END, client=client, max_gb=1, verbose=False)
    assert all(cfg.dry_run for _, cfg in client.calls)


def test_bigquery_enforces_ceiling_when_dry_run_underestimates(data_dir):
    client = FakeBigQueryClient(scale=10**5, actual_scale=1000)
    with pytest.raises(B.BigQueryError, match="exceeded limit for bytes billed"):
        B.fetch_bigquery(START, END, client=client, max_gb=1, verbose=False)
    assert B.fetches(data_dir) == []
    assert not list((data_dir / "cubes").glob("bigquery/cube-*.parquet"))


def test_service_errors_carry_the_message():
    class Denied(FakeBigQueryClient):
        def query(self, sql, job_config=None):
            raise gexc.Forbidden("Access Denied: Project p: User does not have "
                                 "bigquery.jobs.create permission")

    with pytest.raises(B.BigQueryError, match="bigquery.jobs.create permission"):
        B.estimate_bigquery(START, END, client=Denied())


# --------------------------------------------------------------------------- missing pieces
def test_missing_extra_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.cloud.bigquery", None)  # import fails
    with pytest.raises(B.BigQueryNotInstalled, match=r"pip install -e '\.\[bigquery\]'"):
        B.make_client("p")
    with pytest.raises(ImportError, match="bigquery"):
        B.estimate_bigquery(START, END, project="p")
    assert "pip install" in B.check_ready("p")
    # printing the SQL needs no extra
    assert "events_partitioned" in toolkit.bigquery_sql(START, END)


def test_missing_credentials_error(monkeypatch):
    def no_adc(*a, **k):
        raise DefaultCredentialsError("Your default credentials were not found.")

    monkeypatch.setattr(bigquery, "Client", no_adc)
    with pytest.raises(B.BigQueryAuthError) as err:
        B.make_client("my-project")
    msg = str(err.value)
    assert "gcloud auth application-default login" in msg and "TOOLKIT_BQ_PROJECT" in msg
    assert main(["fetch", "bigquery", "--project", "p", "--start", START, "--end", END]) == 1


def test_missing_project_error(monkeypatch):
    def no_project(project=None, location=None):
        raise OSError("Project was not passed and could not be determined from the "
                      "environment.")

    monkeypatch.setattr(bigquery, "Client", no_project)
    monkeypatch.delenv("TOOLKIT_BQ_PROJECT", raising=False)
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    with pytest.raises(B.BigQueryAuthError, match="--project"):
        B.make_client()


def test_project_resolution_order(fake_service, monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "from-google-env")
    assert B.make_client().project == "from-google-env"
    monkeypatch.setenv("TOOLKIT_BQ_PROJECT", "from-toolkit-env")
    assert B.make_client().project == "from-toolkit-env"
    assert B.make_client("explicit").project == "explicit"


def test_check_ready_looks_only_at_local_files(tmp_path, monkeypatch):
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("TOOLKIT_BQ_PROJECT", raising=False)
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    assert "no Google credentials" in B.check_ready()
    (tmp_path / "application_default_credentials.json").write_text("{}")
    assert "no billing project" in B.check_ready()
    assert B.check_ready("p") is None


# --------------------------------------------------------------------------- cache
def test_fetch_caches_cube_with_provenance_and_load_cube_reads_it(data_dir):
    client = FakeBigQueryClient()
    report = B.fetch_bigquery(START, END, client=client, verbose=False)
    cube = toolkit.load_cube(START, END, source="bigquery")
    assert cube.attrs["source"] == "bigquery" and cube.attrs["synthetic"] is False
    assert "BigQuery" in cube.attrs["note"]
    assert_cubes_equal(cube, expected_cube(client.events))
    totals = toolkit.load_daily_totals(START, END, source="bigquery")
    pd.testing.assert_frame_equal(totals, expected_totals(client.events), check_like=False)
    rec = B.fetches(data_dir)[0]
    assert rec["start"] == START and rec["end"] == END and rec["project"] == "test-project"
    assert [q["kind"] for q in rec["queries"]] == ["cube", "totals"]
    assert rec["queries"][0]["sql"] == B.bigquery_sql(START, END)
    assert [q["job_id"] for q in rec["queries"]] == report.job_ids
    assert all(q["bytes_billed"] >= B.MIN_BILLED_BYTES for q in rec["queries"])
    assert rec["fetched_at"].endswith("+00:00")
    assert cube.attrs["bigquery_jobs"] == report.job_ids
    raw = (data_dir / "cubes" / "bigquery" / "fetches.json").read_text()
    assert "token" not in raw.lower() and "private_key" not in raw
    prov = B.provenance(data_dir)
    assert list(prov["job_ids"]) == [",".join(report.job_ids)]


def test_load_without_cache_says_which_command_to_run():
    with pytest.raises(ValueError, match=r"toolkit fetch bigquery --project .* --start "
                                         r"2024-03-01 --end 2024-03-10"):
        toolkit.load_cube(START, END, source="bigquery")


def test_load_outside_cached_range_or_actors_is_refused(data_dir):
    B.fetch_bigquery(START, END, client=FakeBigQueryClient(), verbose=False)
    with pytest.raises(ValueError, match=r"does not hold 2024-03-11\.\.2024-03-15.*"
                                         r"--start 2024-03-11 --end 2024-03-15"):
        toolkit.load_cube(START, "2024-03-15", source="bigquery")
    with pytest.raises(ValueError, match="--actors RUS,USA"):
        toolkit.load_cube(START, END, source="bigquery", actors=["RUS", "USA"])
    sub = toolkit.load_cube("2024-03-02", "2024-03-04", source="bigquery", actors=["RUS", "KOR"])
    assert set(sub["source"]) | set(sub["target"]) <= {"RUS", "KOR"}
    assert sub["date"].between("2024-03-02", "2024-03-04").all() and len(sub) > 0


def test_refetch_replaces_days_and_keeps_the_rest(data_dir):
    client = FakeBigQueryClient()
    B.fetch_bigquery(START, END, client=client, verbose=False)
    before = toolkit.load_cube(START, END, source="bigquery")
    # a second, overlapping fetch with a wider actor set: days 5..10 replaced, 1..4 kept
    B.fetch_bigquery("2024-03-05", "2024-03-12", client=client, actors="RUS,KOR,PRK,USA",
                     verbose=False)
    after = toolkit.load_cube(START, "2024-03-12", source="bigquery")
    early = after[after["date"] < "2024-03-05"].reset_index(drop=True)
    assert_cubes_equal(early, before[before["date"] < "2024-03-05"].reset_index(drop=True))
    late = after[after["date"] >= "2024-03-05"].reset_index(drop=True)
    want = expected_cube(client.events, "2024-03-05", "2024-03-12",
                         actors=("RUS", "KOR", "PRK", "USA"))
    assert_cubes_equal(late, want)
    # USA is held only for the second range
    toolkit.load_cube("2024-03-05", "2024-03-12", source="bigquery", actors=["RUS", "USA"])
    with pytest.raises(ValueError, match="2024-03-01..2024-03-04"):
        toolkit.load_cube(START, "2024-03-12", source="bigquery", actors=["RUS", "USA"])
    assert len(B.fetches(data_dir)) == 2
    cov = json.loads((data_dir / "cubes" / "bigquery" / "coverage.json").read_text())
    assert cov["ranges"] == [{"start": START, "end": "2024-03-12"}]


def test_rerun_sends_and_bills_nothing_unless_refresh(data_dir, capsys):
    B.fetch_bigquery(START, END, client=FakeBigQueryClient(), verbose=False)
    again = FakeBigQueryClient()
    report = B.fetch_bigquery("2024-03-02", "2024-03-09", client=again, actors="KOR,RUS")
    assert report.already_cached and again.calls == [] and report.job_ids == []
    assert "already cached: nothing was run or billed" in capsys.readouterr().out
    assert len(B.fetches(data_dir)) == 1
    B.fetch_bigquery(START, END, client=again, refresh=True, verbose=False)
    assert len(again.calls) == 4 and len(B.fetches(data_dir)) == 2
    assert_cubes_equal(toolkit.load_cube(START, END, source="bigquery"),
                       expected_cube(again.events))


def test_cache_never_mixes_date_bases(data_dir):
    B.fetch_bigquery(START, END, client=FakeBigQueryClient(), verbose=False)
    client = FakeBigQueryClient()
    with pytest.raises(ValueError, match="never mixes date bases"):
        B.fetch_bigquery(START, END, client=client, date_basis="dateadded", verbose=False)
    assert client.calls == []


# --------------------------------------------------------------------------- CLI
def test_cli_sql_prints_the_query(capsys):
    assert main(["bigquery", "sql", "--start", START, "--end", END, "--actors", "RUS,KOR"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == B.bigquery_sql(START, END, actors="RUS,KOR")
    assert main(["bigquery", "sql", "--start", START, "--end", END, "--totals"]) == 0
    assert "total_events" in capsys.readouterr().out
    assert main(["bigquery", "sql", "--start", START, "--end", END, "--select-star"]) == 0
    assert capsys.readouterr().out.startswith("SELECT *")
    assert main(["bigquery", "sql", "--start", START, "--end", END, "--actors", "RS"]) == 2
    assert "FIPS" in capsys.readouterr().err


def test_cli_estimate_and_fetch(fake_service, data_dir, capsys):
    assert main(["bigquery", "estimate", "--start", START, "--end", END,
                 "--project", "cli-project"]) == 0
    out = capsys.readouterr().out
    assert "cli-project" in out and "SELECT *" in out and "~US$" in out
    assert fake_service[-1].project == "cli-project"
    assert all(c.dry_run for _, c in fake_service[-1].calls)

    assert main(["fetch", "bigquery", "--project", "cli-project", "--start", START, "--end",
                 END, "--max-gb", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "dry run" in out and "cube rows" in out and "fake-job-" in out
    calls = fake_service[-1].calls
    assert all(c.maximum_bytes_billed == 5 * 10**8 for _, c in calls if c.dry_run)
    assert all(0 < c.maximum_bytes_billed < 5 * 10**8 for _, c in calls if not c.dry_run)
    assert len(toolkit.load_cube(START, END, source="bigquery")) > 0


def test_cli_fetch_refusal_exit_status(monkeypatch, data_dir, capsys):
    monkeypatch.setattr(bigquery, "Client",
                        lambda project=None, location=None: FakeBigQueryClient(project,
                                                                                 scale=10**8))
    assert main(["fetch", "bigquery", "--project", "p", "--start", START, "--end", END]) == 1
    err = capsys.readouterr().err
    assert "Refusing to run" in err and "--max-gb" in err
    assert B.fetches(data_dir) == []


def test_cli_missing_extra(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "google.cloud.bigquery", None)
    assert main(["bigquery", "estimate", "--start", START, "--end", END, "--project",
                 "p"]) == 1
    assert "pip install -e '.[bigquery]'" in capsys.readouterr().err
