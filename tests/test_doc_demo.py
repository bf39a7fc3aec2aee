"""The SYNTHETIC demo DOC timelines: deterministic, small, labelled, with planted responses."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit
from toolkit.config import demo_dir
from toolkit.sources.demo import cube as demo
from toolkit.sources.demo import doc as doc_demo


@pytest.fixture(scope="module")
def regenerated():
    return doc_demo.generate(doc_demo.SEED)


def test_committed_file_equals_regeneration(regenerated):
    committed = doc_demo.read_all()
    pd.testing.assert_frame_equal(committed, regenerated, check_exact=False, rtol=0,
                                  atol=1e-12)


def test_small_and_labelled_synthetic(regenerated):
    assert (demo_dir() / doc_demo.FILE).stat().st_size < 800 * 1024
    df = toolkit.doc_timeline("rus-kor", "2022-01-01", "2022-03-31", source="demo")
    assert df.attrs["source"] == "demo" and df.attrs["synthetic"] is True
    assert "SYNTHETIC" in df.attrs["note"]
    assert not regenerated.duplicated(["date", "query", "mode", "series"]).any()


def test_covers_registry_queries_modes_and_days(regenerated):
    days = pd.date_range(demo.START, demo.END)
    for q in ("rus-kor", "rus-prk", "kor-prk", "purl-kor"):
        for m in ("timelinevol", "timelinevolraw", "timelinetone", "timelinesourcecountry",
                  "timelinelang"):
            sub = regenerated[(regenerated["query"] == q) & (regenerated["mode"] == m)]
            assert sub.groupby("series").size().eq(len(days)).all(), (q, m)
    raw = regenerated[regenerated["mode"] == "timelinevolraw"]
    assert raw["norm"].gt(100_000).all()
    vol = regenerated[(regenerated["mode"] == "timelinevol")
                      & ~regenerated["query"].str.contains("@")].reset_index(drop=True)
    raw = raw.reset_index(drop=True)
    # timelinevol is 100 * count / monitored, as the API defines it
    assert (vol["value"] - 100 * raw["value"] / raw["norm"]).abs().max() < 1e-4


def _window(df, query, mode, start, days):
    s = pd.Timestamp(start)
    sub = df[(df["query"] == query) & (df["mode"] == mode)]
    after = sub[(sub["date"] >= s) & (sub["date"] < s + pd.Timedelta(days=days))]["value"]
    before = sub[(sub["date"] < s) & (sub["date"] >= s - pd.Timedelta(days=28))]["value"]
    return before.mean(), after.mean()


def test_planted_responses_at_milestones(regenerated):
    dates = {e["name"]: e["date"] for e in demo.PLANTED_EFFECTS}
    b, a = _window(regenerated, "rus-kor@russian", "timelinevol",
                   dates["purl-asymmetric-warning"], 14)
    assert a > 5 * b
    b, a = _window(regenerated, "rus-kor@russian", "timelinetone",
                   dates["purl-asymmetric-warning"], 14)
    assert a < b - 2.5
    b, a = _window(regenerated, "purl-kor", "timelinevol", dates["purl-consultations"], 5)
    assert a > 4 * b
    b, a = _window(regenerated, "rus-prk", "timelinevol", dates["summit-2023"], 4)
    assert a > 3 * b
    b, a = _window(regenerated, "rus-kor", "timelinetone", dates["invasion"], 60)
    assert a < b - 1.0


def test_unknown_demo_pair_explains():
    with pytest.raises(ValueError, match="no timelinelang timeline for 'rus-kor@russian'"):
        toolkit.doc_timeline("rus-kor@russian", "2024-01-01", "2024-02-01",
                             mode="timelinelang", source="demo")
