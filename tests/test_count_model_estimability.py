"""Count models report no effect they could not estimate (sparse speaker groups, empty windows).

Before this check a speaker group whose 14-day window held no threat event came out of the
negative-binomial fit as a rate ratio of 0.00 with the interval 0.00–0.00 and p = 0: a
"significant collapse" that is only the optimiser walking towards minus infinity.
"""

import warnings

import numpy as np
import pytest

import toolkit
from toolkit.notebook import helpers as nh


@pytest.fixture(scope="module")
def demo():
    cube = toolkit.load_cube("2025-06-01", "2026-10-31", source="demo")
    totals = toolkit.load_daily_totals("2025-06-01", "2026-10-31", source="demo")
    return cube, totals


def test_a_window_without_events_is_not_estimable_not_a_collapse(demo):
    cube, totals = demo
    res = toolkit.count_model(cube, totals, "RUS", "KOR", {"warning": "2026-02-21"},
                              root_code="13", duration=14, start="2025-09-24",
                              end="2026-07-21", speakers="opposition")
    window = res.counts[(res.counts["date"] >= "2026-02-21") & (res.counts["date"] < "2026-03-07")]
    assert window["events"].sum() == 0 and res.counts["events"].sum() > 0  # the case itself
    level = res.table[res.table["kind"] == "level"]
    assert level["irr"].isna().all() and level["p_value"].isna().all()
    assert res.info["not_estimable"] == ["warning"]


def test_sparse_groups_fit_without_convergence_warnings_and_are_phrased_honestly(demo):
    cube, totals = demo
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ConvergenceWarning would mean an unchecked fit
        table = nh.speaker_rate_ratios(cube, totals, "RUS", "KOR", "2026-02-21",
                                       speakers=(None, "official", "media", "opposition"))
    opp = table[table["speakers"] == "opposition speakers"].iloc[0]
    assert opp["events"] > 0 and np.isnan(opp["irr"])
    media = table[table["speakers"] == "media speakers"].iloc[0]
    assert np.isfinite([media["irr_low"], media["irr_high"], media["p_value"]]).all()
    text = nh.describe_speaker_rate_ratios(table)
    assert "opposition speakers: no rate ratio can be estimated" in text
    assert "×0.00" not in text
