"""Who speaks: the cube's ``source_type`` (Actor1Type1Code) on real GDELT rows.

The real GDELT 2.0 export in ``tests/data`` is parsed by the toolkit and aggregated by the one
cube SQL; the per-type counts must equal a plain pandas computation over the raw file, and
summed over ``source_type`` the cube must be the cube keyed without it, cell by cell.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from gdelt_mirror import V2_NAMES
from test_bigquery_parity import served_fixture  # noqa: F401  (a fixture)
from test_bigquery_sql import END, START, assert_cubes_equal, events_frame

import toolkit
from toolkit import aggregate as A
from toolkit import schema as S
from toolkit import store
from toolkit.actors import CAMEO_COUNTRIES
from toolkit.sources.events.index import STREAMS
from toolkit.sources.events.parse import parse_export, rows_to_table

FILE = "gdelt2-events-20191024143000.export.CSV"


@pytest.fixture(scope="module")
def real(reference_dir):
    path = reference_dir / FILE
    raw = pd.read_csv(path, sep="\t", header=None, names=V2_NAMES, dtype=str,
                      keep_default_na=False)
    # every actor country of the file the toolkit accepts: many dyads, many speaker types
    acts = tuple(sorted(set(raw.Actor1CountryCode) & set(CAMEO_COUNTRIES)))
    kept = rows_to_table(parse_export(path.read_bytes(), STREAMS["v2"], acts, name=FILE).kept)
    sql = A.cube_sql("1979-01-01", "2030-12-31", actors=acts)
    cube = A.run_duckdb(sql, {"events": kept}, S.CUBE)
    return raw, acts, kept, sql, cube


def test_per_type_counts_equal_pandas_over_the_raw_file(real):
    raw, acts, _, _, cube = real
    d = raw[raw.Actor1CountryCode.isin(acts) & raw.Actor2CountryCode.isin(acts)
            & (raw.Actor1CountryCode != raw.Actor2CountryCode)]
    d = d.drop_duplicates("GLOBALEVENTID")
    want = d.Actor1Type1Code.value_counts().sort_index()
    got = cube.groupby("source_type")["events"].sum().sort_index()
    assert len(want) >= 5 and "" in want.index and "GOV" in want.index
    assert got.to_dict() == want.to_dict()
    # and per dyad, root and type, with the article sums
    key = ["Actor1CountryCode", "Actor1Type1Code", "Actor2CountryCode", "EventRootCode"]
    w = (d.assign(n=1, a=d.NumArticles.astype(int)).groupby(key)[["n", "a"]].sum()
         .rename_axis(["source", "source_type", "target", "root_code"]))
    g = cube.groupby(["source", "source_type", "target", "root_code"])[["events", "articles"]]\
        .sum()
    assert {k: tuple(v) for k, v in g.iterrows()} == {k: tuple(v) for k, v in w.iterrows()}


def test_summed_over_types_the_real_cube_is_the_old_keyed_cube(real):
    _, _, kept, sql, cube = real
    old_sql = (sql.replace("  COALESCE(Actor1Type1Code, '') AS source_type,\n", "")
               .replace("source, source_type, target", "source, target"))
    old = A.run_duckdb(old_sql, {"events": kept})
    key = ["date", "source", "target", "root_code", "quad_class"]
    vals = [c for c in S.CUBE.names if c not in S.CUBE.key]
    summed = cube.groupby(key, as_index=False)[vals].sum()
    old = S.coerce(old.assign(source_type=""), S.CUBE)[key + vals]
    assert len(cube) > len(old) > 20
    pd.testing.assert_frame_equal(summed, old, check_exact=False, rtol=1e-12)


# --------------------------------------------------------------------------- old caches

def _to_old_format(d, key=("date", "source", "target", "root_code", "quad_class")) -> int:
    """Rewrite every cube file under ``d`` as the toolkit wrote it before source_type."""
    files = sorted(d.glob("cube-????-??.parquet"))
    for f in files:
        df = pd.read_parquet(f)
        vals = [c for c in df.columns if c not in S.CUBE.key]
        df.groupby(list(key), as_index=False)[vals].sum().to_parquet(f, index=False)
    return len(files)


def test_old_local_cube_is_rebuilt_from_stored_rows_without_download(
        served_fixture, data_dir):  # noqa: F811
    rows, server = served_fixture
    toolkit.fetch_events(START, END, data_dir=data_dir, base_url=server.url, workers=2,
                         progress=False)
    fresh = toolkit.load_cube(START, END, source="local", data_dir=data_dir)
    assert _to_old_format(data_dir / "cubes" / "local") == 1
    assert store.old_schema_months(store="local", data_dir=data_dir) == ["2024-03"]
    asked = len(server.requests)
    with pytest.warns(UserWarning, match=r"local cube of 1 month\(s\) \(2024-03\.\.2024-03\) "
                                         r"predates speaker types; rebuilt .*nothing "
                                         r"downloaded"):
        again = toolkit.load_cube(START, END, source="local", data_dir=data_dir)
    assert len(server.requests) == asked  # nothing fetched
    assert_cubes_equal(again, fresh)
    assert set(again["source_type"]) >= {"GOV", "MED", ""}
    assert store.old_schema_months(store="local", data_dir=data_dir) == []
    with warnings.catch_warnings():  # the second load is quiet
        warnings.simplefilter("error")
        toolkit.load_cube(START, END, source="local", data_dir=data_dir)


def test_old_bigquery_cube_says_to_fetch_again(served_fixture, data_dir):  # noqa: F811
    from test_bigquery_client import FakeBigQueryClient

    from toolkit.sources.bigquery import fetch as B

    rows, _ = served_fixture
    B.fetch_bigquery(START, END, client=FakeBigQueryClient(events=events_frame(rows)),
                     data_dir=data_dir, verbose=False)
    _to_old_format(data_dir / "cubes" / "bigquery")
    with pytest.raises(S.SchemaError, match=r"bigquery cube cache holds 2024-03 in the format "
                                            r"before speaker types .*--refresh"):
        toolkit.load_cube(START, END, source="bigquery", data_dir=data_dir)

