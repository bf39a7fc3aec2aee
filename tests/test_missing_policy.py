"""Per-day coverage, the missing-data policy, and what a notebook says about a partial cache.

A small GDELT 1.0 cache of June 2024 (one 404 day) and a GDELT 2.0 cache of two days (one
partial) are fetched in-process from a local mirror.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gdelt_mirror import Mirror, MirrorServer, make_row

import toolkit
from toolkit import daily_coverage as DC
from toolkit.analysis import event_study
from toolkit.notebook import helpers as nh
from toolkit.sources.events.fetch import RetryPolicy, fetch_events

FAST = RetryPolicy(attempts=1, backoff=0.0, timeout=10)


def _rows(day: pd.Timestamp, added: str, n: int, v1: bool) -> list[list[str]]:
    d = int(f"{day:%Y%m%d}")
    return [make_row(int(added[-8:]) * 100 + i, d, int(added), "RUS", "KOR", v1=v1)
            for i in range(n)]


@pytest.fixture
def june_v1(tmp_path, data_dir):
    """June 2024 of GDELT 1.0 in the cache; the server has no file for 2024-06-18."""
    m = Mirror(tmp_path / "mirror")
    for day in pd.date_range("2024-06-01", "2024-06-30"):
        if day != pd.Timestamp("2024-06-18"):
            m.add_v1(f"{day:%Y%m%d}", _rows(day, f"{day:%Y%m%d}", 3, True))
    with MirrorServer(m) as srv:
        rep = fetch_events("2024-06-01", "2024-06-30", product="v1", base_url=srv.url,
                           data_dir=data_dir, policy=FAST, progress=False)
    assert rep.missing == ["20240618.export.CSV.zip"]
    return data_dir


def test_coverage_of_a_gdelt1_cache_names_the_404_day_missing(june_v1):
    cov = toolkit.coverage("2024-05-30", "2024-07-01", source="local", data_dir=june_v1)
    by_day = cov.set_index(cov["date"].dt.strftime("%Y-%m-%d"))
    assert by_day.loc["2024-06-18", "status"] == "missing"
    assert by_day.loc["2024-06-18", ["files_expected", "files_ingested", "files_missing"]
                      ].tolist() == [1, 0, 1]
    assert by_day.loc["2024-06-17", "status"] == "complete"
    assert by_day.loc[["2024-05-30", "2024-05-31", "2024-07-01"], "status"].tolist() == [
        "not_fetched"] * 3
    assert DC.counts(cov) == {"days": 33, "complete": 29, "partial": 0, "missing": 1,
                              "not_fetched": 3}
    assert cov.attrs["source"] == "local"
    text = DC.describe(cov[cov["date"].between("2024-06-01", "2024-06-30")])
    assert text.startswith("Coverage 2024-06-01..2024-06-30: 30 days, 1 missing (no GDELT file")
    assert "(first: 2024-06-18)" in text and "excluded (NaN)" in text


def test_coverage_of_gdelt2_counts_the_15_minute_files_of_a_partial_day(tmp_path, data_dir):
    m = Mirror(tmp_path / "mirror")
    for k, t in enumerate(pd.date_range("2024-06-18", periods=2 * 96, freq="15min")):
        st = f"{t:%Y%m%d%H%M%S}"
        if t.day == 19 and k % 96 >= 60:  # the 19th: 60 files, then 30 listed 404s, 6 unlisted
            if k % 96 < 90:
                name = m.add_v2(st, b"")
                (m.root / "gdeltv2" / name).unlink()
            continue
        m.add_v2(st, _rows(t.normalize(), st, 1, False))
    # GDELT's list goes on past the range: the 19th's missing slots are gaps, not its end
    m.add_v2("20240620000000", _rows(pd.Timestamp("2024-06-20"), "20240620000000", 1, False))
    m.write_index()
    with MirrorServer(m) as srv:
        fetch_events("2024-06-18", "2024-06-19", base_url=srv.url, data_dir=data_dir,
                     policy=FAST, progress=False)
    cov = toolkit.coverage("2024-06-18", "2024-06-19", source="local", data_dir=data_dir)
    assert cov["status"].tolist() == ["complete", "partial"]
    assert cov["files_expected"].tolist() == [96, 96]
    assert cov["files_ingested"].tolist() == [96, 60]
    assert cov["files_missing"].tolist() == [0, 36]


def test_demo_coverage_is_complete():
    cov = toolkit.coverage("2025-06-17", "2025-06-19", source="demo")
    assert cov["status"].tolist() == ["complete"] * 3 and cov.attrs["source"] == "demo"
    assert DC.describe(cov).endswith("all complete: no day was excluded or imputed.")


def test_exclude_incomplete_sets_missing_and_partial_days_to_nan():
    days = pd.date_range("2024-06-17", periods=4)
    frame = pd.DataFrame({"date": days, "value": [1.0, 2.0, 3.0, 4.0], "raw": [1.0] * 4,
                          "dyad": "RUS→KOR"})
    cov = pd.DataFrame({"date": days, "status": ["complete", "missing", "partial", "complete"]})
    out = DC.exclude_incomplete(frame, cov)
    assert out["value"].isna().tolist() == [False, True, True, False]
    assert out["raw"].isna().tolist() == [False, True, True, False]
    assert out.attrs["coverage"] == {"missing": ["2024-06-18"], "partial": ["2024-06-19"]}
    assert frame["value"].notna().all()  # the input is left alone


def test_apply_coverage_prints_what_it_did(capsys):
    days = pd.date_range("2024-06-17", periods=3)
    frame = pd.DataFrame({"date": days, "value": [1.0, 2.0, 3.0]})
    cov = pd.DataFrame({"date": days, "status": ["complete", "missing", "complete"]})
    out = nh.apply_coverage(frame, cov)
    assert out["value"].isna().sum() == 1
    assert capsys.readouterr().out.startswith(
        "Missing-data policy: 1 missing and 0 partial day(s) of 3 set to NaN (first: "
        "2024-06-18)")


def _sparse_series():
    rng = np.random.default_rng(3)
    y = pd.Series(rng.poisson(0.8, 900).astype(float), pd.date_range("2020-01-01", periods=900))
    y["2020-11-01":"2021-01-15"] = 0.0  # a dyad silent for weeks: a baseline without variation
    return y


def test_event_study_refuses_or_skips_a_milestone_whose_baseline_does_not_vary():
    y = _sparse_series()
    with pytest.raises(ValueError, match="or do not vary"):
        event_study(y, {"quiet": "2021-01-10", "other": "2021-06-01"}, n_placebo=200)
    res = event_study(y, {"quiet": "2021-01-10", "other": "2021-06-01"}, n_placebo=200,
                      untestable="skip")
    eff = res.effects.set_index("milestone")
    assert np.isnan(eff.loc["quiet", "p_value"]) and np.isfinite(eff.loc["other", "p_value"])
    assert "baseline does not vary" in eff.loc["quiet", "note"]
    assert res.summary["n_milestones"].iloc[0] == 1
    assert list(res.info["untestable"]) == ["quiet"]
    text = nh.describe_event_study(res, series="RUS→KOR threat rate")
    assert "*quiet* (2021-01-10): not testable: the baseline does not vary" in text
    with pytest.raises(ValueError, match="No milestone can be tested: quiet"):
        event_study(y, {"quiet": "2021-01-10"}, n_placebo=200, untestable="skip")


def test_conclusions_on_real_data_without_effects_say_no_evidence_and_what_was_left_out():
    rng = np.random.default_rng(11)
    y = pd.Series(rng.normal(10, 2, 900), pd.date_range("2020-01-01", periods=900))
    y.iloc[[100, 400, 401]] = np.nan  # GDELT gaps
    y.attrs.update(source="local", synthetic=False)
    res = event_study(y, {"a": "2020-09-01", "b": "2021-05-01"}, n_placebo=500, seed=1,
                      missing="drop")
    assert (res.effects["p_value"] > 0.05).all()
    text = nh.describe_event_study(res, series="RUS→KOR volume")
    assert "**No evidence** of an effect at any of the 2 tested milestone(s)" in text
    assert "Of 900 days, 3 had no value" in text and "were left out; none was imputed" in text
    assert "planted" not in text


def test_describe_data_handling_says_when_days_were_imputed():
    text = nh.describe_data_handling({"n_days": 365, "n_missing": 4, "missing": "interpolate"})
    assert "4 had no value" in text and "imputed by linear interpolation" in text


def test_a_notebook_on_june_only_falls_back_and_says_what_to_fetch(june_v1):
    needs = nh.needs_around(["purl-asymmetric-warning"], before=30, after=30)
    c = nh.choose_data("2017-01-01", "2026-10-31", "auto", needs=needs, data_dir=june_v1)
    assert (c.source, c.start, c.end) == ("demo", "2017-01-01", "2026-10-31")
    assert "**Local cache:** GDELT 1.0 daily exports, one file per day, days " \
           "2024-06-01..2024-06-30." in c.note
    assert "holds 2024-06-01..2024-06-30 of it, which lacks what this notebook needs: " \
           "purl-asymmetric-warning (2026-02-21) -30..+30 days (2026-01-22..2026-03-23)" in c.note
    assert "Falling back to the SYNTHETIC demo data" in c.note
    # the command names the cache's product: without it, a GDELT 1.0 cache refuses the fetch
    assert "`toolkit fetch events --start 2017-01-01 --end 2026-10-31 --product v1`" in c.note


def test_a_notebook_on_june_only_analyses_june_when_it_needs_nothing_else(june_v1):
    needs = nh.needs_around(["treaty-2024"], before=10, after=10)
    c = nh.choose_data("2017-01-01", "2026-10-31", "auto", needs=needs, data_dir=june_v1)
    assert (c.source, c.start, c.end) == ("local", "2024-06-01", "2024-06-30")
    assert "**analysing 2024-06-01..2024-06-30** (real GDELT data)" in c.note
    assert "30 days, 1 missing (no GDELT file" in c.note
    assert c.coverage["status"].eq("missing").sum() == 1


def test_source_local_refuses_a_range_the_cache_lacks(june_v1):
    with pytest.raises(ValueError, match=r"holds 2024-06-01\.\.2024-06-30, which for "
                                         r"2017-01-01\.\.2026-10-31 is 2024-06-01\.\.2024-06-30 "
                                         r"of it, without purl.*Fetch it: toolkit fetch "
                                         r"events --start 2017-01-01 --end 2026-10-31 "
                                         r"--product v1$"):
        nh.choose_data("2017-01-01", "2026-10-31", "local", data_dir=june_v1,
                       needs=nh.needs_around(["purl-asymmetric-warning"], before=30, after=30))


def test_no_cache_says_so(data_dir):
    c = nh.choose_data("2017-01-01", "2026-10-31", "auto", data_dir=data_dir)
    assert c.source == "demo"
    assert c.note.startswith("**No local GDELT cache yet**, so this run uses the **SYNTHETIC "
                             "demo data**")


def test_reference_files_come_from_the_repository(reference_dir):
    """A fresh clone has no ../shared: the real GDELT files are read from tests/data."""
    for name in ("gdelt2-events-20191024143000.export.CSV", "gdelt1-events-sample-rows.tsv",
                 "masterfilelist-fragment-2015-02.txt", "milestones-research.md"):
        p = (reference_dir / name).resolve()
        assert p.parent.name == "data" and p.parent.parent.name == "tests", p


def test_docs_missing_data_example_runs_on_a_june_cache(june_v1, capsys):
    from helpers import doc_blocks, doc_section

    sec = doc_section("cube.md", "## Missing data and coverage")
    for needle in ("partial day", "not a quiet day", "files_expected", "missing=\"drop\"",
                   "interpolated and counted as imputed"):
        assert needle in sec, needle
    [block] = doc_blocks("cube.md", lang="python", heading="## Missing data and coverage")
    ns: dict = {}
    exec(block.code, ns)  # noqa: S102 - our own docs; TOOLKIT_DATA_DIR is the June cache
    out = capsys.readouterr().out
    assert "Coverage 2024-06-01..2024-06-30: 30 days, 1 missing" in out
    assert ns["daily"].attrs["coverage"] == {"missing": ["2024-06-18"], "partial": []}
    assert ns["daily"].set_index("date")["value"].isna().loc["2024-06-18"]


def test_granger_reports_the_days_it_imputed():
    from toolkit.analysis import granger

    rng = np.random.default_rng(5)
    days = pd.date_range("2023-01-01", periods=400)
    a = pd.Series(rng.normal(size=400), days)
    b = pd.Series(rng.normal(size=400), days)
    a.iloc[[10, 200]] = np.nan
    b.iloc[[50, 51, 52]] = np.nan
    res = granger({"a": a, "b": b}, "a", "b", maxlags=5, missing="interpolate")
    assert res.info["n_missing_by_series"] == {"a": 2, "b": 3}
    assert res.info["missing"] == "interpolate" and res.info["n_missing"] == 3
    text = nh.describe_data_handling(res.info)
    assert "**imputed by linear interpolation** (a 2, b 3 days)" in text
