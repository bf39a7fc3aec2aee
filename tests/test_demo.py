"""The embedded synthetic demo data: deterministic, labelled, small, with planted effects."""

import json

import pandas as pd
import pytest

from toolkit import schema as S
from toolkit.config import demo_dir
from toolkit.sources.demo import cube as demo


@pytest.fixture(scope="module")
def regenerated():
    return demo.generate(demo.SEED)


def test_committed_demo_data_equals_regeneration(regenerated):
    cube, totals = regenerated
    committed_cube = demo.read_cube()
    committed_totals = demo.read_totals()
    pd.testing.assert_frame_equal(committed_cube, cube, check_exact=False, rtol=0, atol=1e-9)
    pd.testing.assert_frame_equal(committed_totals, totals)


def test_demo_is_small_and_labelled_synthetic():
    size = sum(p.stat().st_size for p in demo_dir().iterdir())
    # issue 16: the speaker types (source_type) grow the cube; the budget is 8 MB
    assert size <= 8 * 1024 * 1024, f"data/demo is {size} bytes; the budget is 8 MB"
    meta = json.loads((demo_dir() / "metadata.json").read_text())
    assert meta["synthetic"] is True and meta["seed"] == demo.SEED
    for df in (demo.read_cube(), demo.read_totals()):
        assert df.attrs["source"] == "demo" and df.attrs["synthetic"] is True
        assert "SYNTHETIC" in df.attrs["note"]


def test_demo_covers_range_and_six_dyads(regenerated):
    cube, totals = regenerated
    S.validate(cube, S.CUBE)
    S.validate(totals, S.DAILY_TOTALS)
    assert totals["date"].min() == pd.Timestamp("2017-01-01")
    assert totals["date"].max() == pd.Timestamp("2026-10-31")
    assert totals["date"].is_unique and len(totals) == 3591
    dyads = set(zip(cube["source"], cube["target"], strict=True))
    assert dyads == {("RUS", "KOR"), ("KOR", "RUS"), ("RUS", "PRK"), ("PRK", "RUS"),
                     ("KOR", "PRK"), ("PRK", "KOR")}
    assert not cube.duplicated(list(S.CUBE.key)).any()


def test_demo_shape_is_plausible(regenerated):
    cube, totals = regenerated
    # global totals grow over the years
    yearly = totals.groupby(totals["date"].dt.year)["total_events"].mean()
    assert yearly.loc[2026] > 1.5 * yearly.loc[2017]
    # weekly cycle: weekends lower
    wk = totals.groupby(totals["date"].dt.day_of_week)["total_events"].mean()
    assert wk.loc[[5, 6]].mean() < 0.85 * wk.loc[[0, 1, 2, 3, 4]].mean()
    # overdispersion: variance of daily dyad counts well above the mean
    daily = cube[(cube.source == "KOR") & (cube.target == "PRK")].groupby("date")["events"].sum()
    daily = daily[daily.index.year == 2018]
    assert daily.var() > 2 * daily.mean()
    # sums are consistent: root events ≤ events ≤ articles ≤ mentions
    assert (cube.root_events <= cube.events).all() and (cube.events <= cube.articles).all()
    assert (cube.articles <= cube.mentions).all()
    # conflict roots carry negative Goldstein, cooperation roots non-negative on average
    g = cube.groupby("quad_class")[["goldstein_sum", "events"]].sum()
    mean_g = g.goldstein_sum / g.events
    assert mean_g.loc[3] < 0 and mean_g.loc[4] < 0 and mean_g.loc[2] > 0


def test_planted_threat_pulse_is_in_the_data(regenerated):
    cube, _ = regenerated
    eff = next(e for e in demo.PLANTED_EFFECTS if e["name"] == "purl-asymmetric-warning")
    d0 = pd.Timestamp(eff["date"])
    rk13 = cube[(cube.source == "RUS") & (cube.target == "KOR") & (cube.root_code == "13")]
    per_day = rk13.groupby("date")["events"].sum()
    during = per_day[(per_day.index >= d0) & (per_day.index < d0 + pd.Timedelta(days=14))].sum()
    before = per_day[(per_day.index >= d0 - pd.Timedelta(days=98)) & (per_day.index < d0)].sum()
    assert during / 14 > 4 * (before / 98)


def test_planted_effects_table():
    df = demo.planted_effects()
    assert {"name", "date", "dyads", "roots", "factor", "days", "index"} <= set(df.columns)
    assert pd.Timestamp("2026-02-21") in set(df["date"])
