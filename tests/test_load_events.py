"""The events behind the cube: ``toolkit.load_events`` for every source, and the invariant.

Invariant, for every source: the events returned for any cube cell (its key: date, dyad,
root, quad, and whatever key columns the cube has) aggregate exactly to that cell's
``events``, ``articles``, ``goldstein_sum`` and ``tone_x_articles``.

* local: real GDELT rows (tests/real_mirror.py) served as GDELT 1.0 daily files, fetched by
  the real pipeline; and the tricky fixture of test_bigquery_sql (duplicated GLOBALEVENTIDs,
  late reports, NULL actors) served as GDELT 2.0 files;
* bigquery: the events SQL run in DuckDB (through a fake client) over the same rows as the
  cube SQL, behind the dry run and the ceiling;
* demo: synthetic events generated from the demo cube.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import real_mirror as RM
from gdelt_mirror import MirrorServer
from test_bigquery_parity import served_fixture  # noqa: F401  (a fixture)
from test_bigquery_sql import END, START, events_frame, fixture_rows, run_bigquery_sql_locally

import toolkit
from toolkit import event_rows as E
from toolkit import schema as S
from toolkit.sources.bigquery import fetch as B

SUMS = ["events", "root_events", "articles", "mentions", "sources", "goldstein_sum",
        "goldstein_x_articles", "tone_x_articles"]
INVARIANT = ["events", "articles", "goldstein_sum", "tone_x_articles"]


def assert_adds_up(events: pd.DataFrame, cube: pd.DataFrame, cols=INVARIANT, atol=1e-9):
    """Every cube cell equals the sum of its events, and no event lies outside a cell."""
    key = list(S.CUBE.key)
    agg = E.aggregate(events).astype({k: cube[k].dtype for k in key})
    m = cube.merge(agg, on=key, how="outer", suffixes=("", "_ev"), indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"][key + ["_merge"]]
    for c in cols:
        np.testing.assert_allclose(m[c + "_ev"], m[c], rtol=1e-12, atol=atol, err_msg=c)
    assert len(m) == len(cube)


# --------------------------------------------------------------------------- demo
def test_demo_events_add_up_to_every_demo_cube_cell():
    ev = toolkit.load_events("2026-02-01", "2026-03-15", source="demo")
    cube = toolkit.load_cube("2026-02-01", "2026-03-15", source="demo")
    assert len(ev) == cube["events"].sum() > 10_000
    assert_adds_up(ev, cube, cols=INVARIANT + ["root_events", "mentions", "sources"])
    assert list(ev.columns) == E.COLUMNS
    assert ev["GLOBALEVENTID"].is_unique
    assert (ev["num_articles"].diff().dropna() <= 0).all()  # most reported first


def test_demo_events_are_labelled_synthetic_everywhere():
    ev = toolkit.load_events("2026-02-21", "2026-02-27", dyads=["RUS→KOR"], root_codes=[13],
                             source="demo")
    assert ev.attrs["synthetic"] is True and ev.attrs["source"] == "demo"
    assert "SYNTHETIC" in ev.attrs["note"]
    assert ev["url"].str.startswith("synthetic://demo/").all()
    assert ev["source_name"].str.contains("(synthetic)", regex=False).all()
    assert ev["action_geo"].str.contains("(synthetic)", regex=False).all()
    assert set(ev["root_code"]) == {"13"} and set(ev["source"] + ev["target"]) == {"RUSKOR"}


def test_demo_events_are_the_same_whatever_range_is_asked():
    wide = toolkit.load_events("2026-02-15", "2026-02-28", source="demo")
    day = toolkit.load_events("2026-02-21", "2026-02-21", source="demo")
    same = wide[wide["date"] == "2026-02-21"].reset_index(drop=True)
    pd.testing.assert_frame_equal(same, day, check_like=False)


def test_filters_limit_and_description():
    ev = toolkit.load_events("2026-02-21", "2026-03-06", dyads="RUS→KOR", root_codes="13",
                             source="demo", limit=5)
    assert len(ev) == 5 and ev.attrs["limit"] == 5
    assert ev.attrs["dyads"] == ["RUS→KOR"] and ev.attrs["root_codes"] == ["13"]
    full = toolkit.load_events("2026-02-21", "2026-03-06", dyads="RUS→KOR", root_codes="13",
                               source="demo")
    pd.testing.assert_frame_equal(ev, full.head(5))
    assert ev["event_description"].str.len().gt(5).all()
    assert ev["source_type"].notna().all()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"dyads": "RUS→RUS"}, "same source and target"),
    ({"dyads": "RUS"}, "Cannot read dyad"),
    ({"root_codes": 21}, "Unknown CAMEO root code"),
    ({"source": "nowhere"}, "Unknown source"),
    ({"limit": 0}, "limit=0"),
    ({"actors": ["XXX"]}, "XXX"),
])
def test_bad_arguments_fail_with_one_line(kwargs, message):
    with pytest.raises(ValueError, match=message) as ei:
        toolkit.load_events("2026-02-21", "2026-02-21", **({"source": "demo"} | kwargs))
    assert "\n" not in str(ei.value)


def test_every_cameo_code_has_text():
    from toolkit.cameo import ROOT_CODES, event_description
    from toolkit.cameo_codes import EVENT_CODES

    assert len(EVENT_CODES) > 280
    assert {c[:2] for c in EVENT_CODES} == set(ROOT_CODES)
    assert event_description("1384") == "Threaten conventional attack"
    assert event_description("13") == "Threaten"
    assert "not in the CAMEO codebook" in event_description("1399")


# --------------------------------------------------------------------------- local
@pytest.fixture(scope="module")
def real_local(tmp_path_factory):
    """Two months of real GDELT rows fetched into a local cache by the real pipeline."""
    m = RM.build(tmp_path_factory.mktemp("mirror"), start="2024-05-01", end="2024-06-30",
                 rows_per_day=20, p_trio=0.7)
    ddir = tmp_path_factory.mktemp("cache")
    with MirrorServer(m) as srv:
        rep = toolkit.fetch_events("2024-05-01", "2024-06-30", product="v1", data_dir=ddir,
                                   base_url=srv.url, workers=2, progress=False)
    assert rep.rows_kept > 300
    return ddir


def test_local_events_of_real_rows_add_up_to_the_local_cube(real_local):
    cube = toolkit.load_cube("2024-05-01", "2024-06-30", source="local", data_dir=real_local)
    ev = toolkit.load_events("2024-05-01", "2024-06-30", source="local", data_dir=real_local)
    assert ev.attrs["source"] == "local" and ev.attrs["synthetic"] is False
    assert len(ev) == cube["events"].sum() > 300
    assert_adds_up(ev, cube, cols=SUMS)
    # real rows: real URLs (SOURCEURL), real CAMEO codes with their text
    assert ev["url"].str.startswith("http").mean() > 0.9
    assert not ev["event_description"].str.startswith("Unknown").any()
    # an actor without a type is "" (as the cube's source_type), never missing
    assert ev["source_type"].notna().all() and (ev["source_type"] == "").any()
    assert ev["target_type"].notna().all()


def test_local_filters_select_exactly_the_cells(real_local):
    cube = toolkit.load_cube("2024-06-01", "2024-06-15", source="local", data_dir=real_local)
    ev = toolkit.load_events("2024-06-01", "2024-06-15", dyads=["RUS→KOR", "KOR→PRK"],
                             root_codes=["01", "04"], source="local", data_dir=real_local)
    want = cube[(cube["source"] + "→" + cube["target"]).isin(["RUS→KOR", "KOR→PRK"])
                & cube["root_code"].isin(["01", "04"])].reset_index(drop=True)
    assert len(want) > 0
    assert_adds_up(ev, want, cols=SUMS)
    assert ev["dateadded"].dt.tz is not None


def test_local_range_outside_the_cache_says_what_to_fetch(real_local):
    with pytest.raises(ValueError, match="toolkit fetch events") as ei:
        toolkit.load_events("2024-06-01", "2024-07-15", source="local", data_dir=real_local)
    assert "\n" not in str(ei.value)


def test_auto_uses_local_when_it_holds_the_range(real_local):
    ev = toolkit.load_events("2024-06-01", "2024-06-02", source="auto", data_dir=real_local)
    assert ev.attrs["source"] == "local" and ev.attrs["requested_source"] == "auto"


@pytest.mark.parametrize("date_basis", ["sqldate", "dateadded"])
def test_local_dedup_of_the_tricky_fixture_matches_the_cube(served_fixture, data_dir,  # noqa: F811
                                                             date_basis):
    rows, server = served_fixture
    end = pd.Timestamp(END) + pd.Timedelta(days=7)
    toolkit.fetch_events(START, end, product="v2", data_dir=data_dir, base_url=server.url,
                         workers=2, date_basis=date_basis, progress=False)
    cube = toolkit.load_cube(START, END, source="local", data_dir=data_dir)
    ev = toolkit.load_events(START, END, source="local", data_dir=data_dir)
    assert ev.attrs["date_basis"] == date_basis
    assert ev["GLOBALEVENTID"].is_unique
    assert_adds_up(ev, cube, cols=SUMS)


# --------------------------------------------------------------------------- bigquery
_ids = itertools.count(1)


class _Job:
    def __init__(self, n, rows=None):
        self.job_id = f"fake-events-{next(_ids)}"
        self.total_bytes_processed = n
        self.total_bytes_billed = 0 if rows is None else max(n, B.MIN_BILLED_BYTES)
        self.cache_hit = False
        self._rows = rows

    def result(self):
        return self

    def to_arrow(self, create_bqstorage_client=True):
        import pyarrow as pa

        return pa.Table.from_pandas(self._rows, preserve_index=False)


class FakeClient:
    """Answers dry runs with ``bytes_`` and runs queries in DuckDB over the fixture rows."""

    project = "test-project"

    def __init__(self, events: pd.DataFrame, bytes_: int = 12_345_678):
        self.events, self.bytes_, self.calls = events, bytes_, []

    def query(self, sql, job_config=None):
        self.calls.append((sql, job_config))
        if job_config.dry_run:
            return _Job(self.bytes_)
        assert job_config.maximum_bytes_billed >= self.bytes_
        df = run_bigquery_sql_locally(sql, self.events, None)
        df["date"] = df["date"].dt.date
        return _Job(self.bytes_, df)


@pytest.fixture
def bq_rows():
    return events_frame(fixture_rows(), blank_as_null=True)


def test_bigquery_events_add_up_to_the_bigquery_cube_over_the_same_rows(bq_rows, data_dir):
    client = FakeClient(bq_rows)
    rep = E.fetch_bigquery_events(START, END, client=client, data_dir=data_dir, verbose=False)
    assert not rep["already_cached"] and rep["rows"] > 0
    assert [bool(c.dry_run) for _, c in client.calls] == [True, False]
    assert all(c.maximum_bytes_billed == B.max_bytes_from_gb(None) for _, c in client.calls)
    ev = toolkit.load_events(START, END, source="bigquery", data_dir=data_dir)
    cube = run_bigquery_sql_locally(B.bigquery_sql(START, END), bq_rows, S.CUBE)
    assert ev.attrs["source"] == "bigquery" and ev.attrs["job_id"] == rep["job_id"]
    assert ev["GLOBALEVENTID"].is_unique
    assert_adds_up(ev, cube, cols=SUMS)
    # a rerun sends nothing
    again = E.fetch_bigquery_events(START, END, client=client, data_dir=data_dir, verbose=False)
    assert again["already_cached"] and len(client.calls) == 2


def test_bigquery_events_sql_reads_partitions_and_named_columns_only(data_dir):
    sql = E.fetch_bigquery_events(START, END, dyads="RUS→KOR", root_codes=13,
                                  client=FakeClient(events_frame(fixture_rows())),
                                  verbose=False)["sql"]
    assert "_PARTITIONTIME >= TIMESTAMP('2024-03-01')" in sql
    assert "SELECT *" not in sql and f"`{B.TABLE}`" in sql


def test_bigquery_events_refused_above_the_ceiling(bq_rows, data_dir):
    client = FakeClient(bq_rows, bytes_=80 * 10**9)
    with pytest.raises(B.CostLimitExceeded, match="Refusing to run"):
        E.fetch_bigquery_events(START, END, client=client, data_dir=data_dir, verbose=False)
    assert all(c.dry_run for _, c in client.calls)
    with pytest.raises(ValueError, match="toolkit events --source bigquery --fetch"):
        toolkit.load_events(START, END, source="bigquery", data_dir=data_dir)


def test_bigquery_events_follow_the_cube_fetch_actor_set_and_basis(bq_rows, data_dir):
    from test_bigquery_client import FakeBigQueryClient

    toolkit.fetch_bigquery(START, END, actors=["RUS", "KOR", "USA"], date_basis="dateadded",
                           client=FakeBigQueryClient(), data_dir=data_dir, verbose=False)
    rep = E.fetch_bigquery_events(START, END, client=FakeClient(bq_rows), data_dir=data_dir,
                                  verbose=False)
    assert "'USA'" in rep["sql"] and "DATEADDED" in rep["sql"].split("BETWEEN")[0]
    ev = toolkit.load_events(START, END, source="bigquery", data_dir=data_dir)
    assert ev.attrs["date_basis"] == "dateadded" and "USA" in set(ev["source"]) | set(
        ev["target"])
    cube = toolkit.load_cube(START, END, source="bigquery", data_dir=data_dir)
    assert_adds_up(ev, cube, cols=SUMS)


@pytest.mark.filterwarnings("ignore:GDELT's file list does not cover")  # 03-01 is partial
def test_a_duplicate_across_months_is_the_cubes_copy_whatever_the_filter(tmp_path, data_dir):
    """GLOBALEVENTID 7001 is published twice, in February (RUS→KOR, root 13) and again in
    March coded differently (RUS→PRK, root 04): the cube counts the earliest copy, so asking
    for RUS→PRK root 04 must not return it, and asking for RUS→KOR root 13 must."""
    from gdelt_mirror import Mirror, make_row

    m = Mirror(tmp_path / "mirror")
    m.add_v2("20240228234500", [
        make_row(7001, 20240228, 20240228234500, "RUS", "KOR", root="13", quad=3, gold=-6.0,
                 articles=9),
        make_row(7003, 20240228, 20240228234500, "RUS", "PRK", root="04", articles=2)])
    m.add_v2("20240229120000", [
        make_row(7002, 20240229, 20240229120000, "KOR", "RUS", root="01", articles=5)])
    m.add_v2("20240301001500", [
        make_row(7001, 20240228, 20240301001500, "RUS", "PRK", root="04", articles=40),
        make_row(7002, 20240229, 20240301001500, "RUS", "PRK", root="04", articles=30),
        make_row(7004, 20240229, 20240301001500, "RUS", "PRK", root="04", articles=1)])
    m.write_index()
    with MirrorServer(m) as srv:
        toolkit.fetch_events("2024-02-28", "2024-03-01", product="v2", data_dir=data_dir,
                             base_url=srv.url, workers=1, progress=False)
    kw = {"source": "local", "data_dir": data_dir}
    prk = toolkit.load_events("2024-02-28", "2024-02-29", dyads="RUS→PRK", root_codes=4, **kw)
    assert sorted(prk["GLOBALEVENTID"]) == [7003, 7004]
    kor = toolkit.load_events("2024-02-28", "2024-02-29", dyads="RUS→KOR", root_codes=13, **kw)
    assert kor["GLOBALEVENTID"].tolist() == [7001] and kor["num_articles"].tolist() == [9]
    everything = toolkit.load_events("2024-02-28", "2024-02-29", **kw)
    assert sorted(everything["GLOBALEVENTID"]) == [7001, 7002, 7003, 7004]
    assert_adds_up(everything, toolkit.load_cube("2024-02-28", "2024-02-29", **kw), cols=SUMS)
