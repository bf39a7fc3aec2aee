"""Issue 12, point 4: a request the data cannot answer says so instead of returning nothing."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import toolkit
from toolkit.cli import main

from helpers import fill_from_demo


@pytest.mark.parametrize("source", ["auto", "demo"])
def test_range_outside_the_demo_raises_naming_what_it_holds(source):
    with pytest.raises(ValueError, match=r"source=demo holds 2017-01-01\.\.2026-10-31.*"
                                         r"nothing of 2010-01-01\.\.2010-12-31"):
        toolkit.load_cube("2010-01-01", "2010-12-31", source=source)
    with pytest.raises(ValueError, match=r"holds 2017-01-01\.\.2026-10-31"):
        toolkit.load_daily_totals("2010-01-01", "2010-12-31", source=source)


def test_range_clipped_at_the_data_end_warns_with_the_held_range():
    with pytest.warns(UserWarning, match=r"holds 2017-01-01\.\.2026-10-31.*2026-10-01\.\."
                                         r"2027-03-31 is clipped at the data's end to "
                                         r"2026-10-01\.\.2026-10-31"):
        cube = toolkit.load_cube("2026-10-01", "2027-03-31", source="demo")
    assert cube["date"].max() == pd.Timestamp("2026-10-31")
    assert (cube.attrs["start"], cube.attrs["end"], cube.attrs["days"]) == (
        "2026-10-01", "2026-10-31", 31)
    with pytest.warns(UserWarning, match="clipped at the data's start"):
        toolkit.load_daily_totals("2016-12-01", "2017-01-31", source="demo")


def test_a_range_inside_the_demo_is_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cube = toolkit.load_cube("2017-01-01", "2026-10-31")  # the notebooks' default, auto
    assert cube.attrs["source"] == "demo" and cube.attrs["days"] == 3591


def test_local_over_may_to_july_with_only_june_held_raises(data_dir):
    fill_from_demo(data_dir, "2024-06-01", "2024-06-30")
    with pytest.raises(ValueError) as err:
        toolkit.load_cube("2024-05-01", "2024-07-31", source="local")
    msg = str(err.value)
    assert "does not hold 2024-05-01..2024-05-31, 2024-07-01..2024-07-31" in msg
    assert "it holds 2024-06-01..2024-06-30" in msg
    assert "toolkit fetch events --start 2024-05-01 --end 2024-07-31" in msg
    # inside what is held: fine, and the attrs say which days
    june = toolkit.load_cube("2024-06-01", "2024-06-30", source="local")
    assert june.attrs["days"] == 30 and june["date"].dt.month.eq(6).all()


def test_auto_falling_back_to_the_demo_over_a_partial_cache_warns(data_dir):
    fill_from_demo(data_dir, "2024-06-01", "2024-06-30")
    with pytest.warns(UserWarning, match=r"SYNTHETIC demo.*local cache holds 2024-06-01\.\."
                                         r"2024-06-30.*toolkit fetch events --start 2017-01-01"):
        cube = toolkit.load_cube("2017-01-01", "2026-10-31")
    assert cube.attrs["source"] == "demo"


def test_cli_cube_with_zero_rows_exits_1_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "c.csv"
    status = main(["cube", "--source", "demo", "--start", "2020-01-01", "--end", "2020-01-02",
                   "--actors", "USA,CHN", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 1 and not out.exists()
    assert err.count("\n") == 1 and "0 rows" in err and "USA,CHN" in err
    assert "nothing written" in err
    # a range the source does not hold is bad input: exit 2, naming what it holds
    status = main(["cube", "--source", "demo", "--start", "2010-01-01", "--end", "2010-01-31",
                   "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and "holds 2017-01-01..2026-10-31" in err and not out.exists()


def test_dyad_with_an_actor_outside_the_cube_raises_naming_the_cube_actors():
    cube = toolkit.load_cube("2022-02-01", "2022-02-28", source="demo")
    totals = toolkit.load_daily_totals("2022-02-01", "2022-02-28", source="demo")
    assert cube.attrs["actors"] == ["KOR", "PRK", "RUS"]
    with pytest.raises(ValueError, match=r"RUS→USA: the cube holds only actors KOR, PRK, RUS"):
        toolkit.compute_index(cube, totals, "volume", dyads=["RUS→USA"])
    sub = toolkit.load_cube("2022-02-01", "2022-02-28", source="demo", actors=["RUS", "KOR"])
    with pytest.raises(ValueError, match=r"PRK→KOR: the cube holds only actors KOR, RUS"):
        toolkit.compute_index(sub, totals, "volume", dyads=["PRK→KOR"])


def test_milestones_with_a_fips_code_give_the_cameo_hint():
    with pytest.raises(ValueError, match=r"'RS' is the FIPS geo code of RUS.*use 'RUS'"):
        toolkit.load_milestones(actors=["RS"])
    with pytest.raises(ValueError, match=r"Unknown milestone actor 'XX'"):
        toolkit.load_milestones(actors=["RUS", "XX"])
    assert len(toolkit.load_milestones(actors=["rus"])) > 0
