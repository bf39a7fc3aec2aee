"""load_cube / load_daily_totals: source selection and every bad-input error."""

import logging

import pandas as pd
import pytest

import toolkit
from toolkit import schema as S
from toolkit import store
from toolkit.sources.demo import cube as demo

from helpers import fill_from_demo


def test_demo_source_is_labelled():
    cube = toolkit.load_cube("2022-02-01", "2022-02-28", source="demo")
    assert cube.attrs["source"] == "demo" and cube.attrs["synthetic"] is True
    assert cube["date"].between("2022-02-01", "2022-02-28").all()
    S.validate(cube, S.CUBE)
    totals = toolkit.load_daily_totals("2022-02-01", "2022-02-28", source="demo")
    assert len(totals) == 28


def test_auto_uses_demo_when_local_is_empty(caplog):
    with caplog.at_level(logging.INFO, logger="toolkit"):
        cube = toolkit.load_cube("2022-02-01", "2022-02-28")
    assert cube.attrs["source"] == "demo" and cube.attrs["requested_source"] == "auto"
    assert "source=demo" in caplog.text


def test_auto_uses_local_when_it_covers_the_range(data_dir, caplog):
    fill_from_demo(data_dir, "2022-02-01", "2022-03-31")
    with caplog.at_level(logging.INFO, logger="toolkit"):
        cube = toolkit.load_cube("2022-02-10", "2022-03-05")
    assert cube.attrs["source"] == "local" and cube.attrs["synthetic"] is False
    assert "source=local" in caplog.text
    expected = demo.read_cube(pd.Timestamp("2022-02-10"), pd.Timestamp("2022-03-05"))
    pd.testing.assert_frame_equal(cube.reset_index(drop=True), expected, check_exact=False,
                                  atol=1e-9)
    # partial coverage falls back to demo, and says so with what the cache holds
    with pytest.warns(UserWarning, match=r"SYNTHETIC demo data: the local cache holds "
                                         r"2022-02-01\.\.2022-03-31"):
        assert toolkit.load_cube("2022-01-15", "2022-02-15").attrs["source"] == "demo"
    # explicit local reads only what is cached
    t = toolkit.load_daily_totals("2022-03-01", "2022-03-31", source="local")
    assert t.attrs["source"] == "local" and len(t) == 31


def test_local_source_when_cache_is_empty_says_what_to_do():
    with pytest.raises(ValueError, match="toolkit fetch events"):
        toolkit.load_cube("2022-01-01", "2022-01-31", source="local")


def test_actor_filter():
    cube = toolkit.load_cube("2022-02-01", "2022-02-05", source="demo", actors=["RUS", "KOR"])
    assert set(cube["source"]) | set(cube["target"]) == {"RUS", "KOR"}


@pytest.mark.parametrize("kwargs, message", [
    ({"source": "gdelt"}, "Unknown source 'gdelt'; choose one of auto, demo, local, bigquery"),
    ({"start": "2022-03-01", "end": "2022-02-01"}, "is after end"),
    ({"start": "24/02/2022"}, "is not a date; give 'YYYY-MM-DD'"),
    ({"start": "2022-02-30"}, "not a valid calendar day"),
    ({"end": 20220224}, "is not a date"),
    ({"actors": ["RUS", "XXX"]}, "Unknown actor code 'XXX'.*Valid CAMEO country codes: .*KOR"),
    ({"actors": "RS,KOR"}, "FIPS geo code of RUS"),
])
def test_bad_input_raises_value_error_listing_choices(kwargs, message):
    with pytest.raises(ValueError, match=message):
        toolkit.load_cube(**kwargs)


def test_bad_source_for_totals():
    with pytest.raises(ValueError, match="choose one of"):
        toolkit.load_daily_totals(source="nope")


def test_store_rewrites_months_atomically_and_idempotently(data_dir):
    cube, totals = fill_from_demo(data_dir, "2022-02-01", "2022-02-28")
    files = sorted(p.name for p in (data_dir / "cubes" / "local").iterdir())
    fill_from_demo(data_dir, "2022-02-01", "2022-02-28")
    assert sorted(p.name for p in (data_dir / "cubes" / "local").iterdir()) == files
    assert not [f for f in files if f.endswith(".part")]
    assert store.coverage(store="local", data_dir=data_dir) == [
        {"start": "2022-02-01", "end": "2022-02-28"}]
    store.add_coverage("2022-03-01", "2022-03-10", store="local", data_dir=data_dir)
    assert store.coverage(store="local", data_dir=data_dir) == [
        {"start": "2022-02-01", "end": "2022-03-10"}]
