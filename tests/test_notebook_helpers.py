"""Helpers of the analysis notebooks: source banner, DOC source choice, before/after, wording."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.notebook import helpers as nh


def _frame(source: str, synthetic: bool) -> pd.DataFrame:
    df = pd.DataFrame({"x": [1]})
    df.attrs.update(source=source, synthetic=synthetic)
    return df


def test_source_note_warns_only_for_synthetic_data():
    demo, local = _frame("demo", True), _frame("local", False)
    assert "SYNTHETIC" in nh.source_note(demo) and "illustrative" in nh.source_note(demo)
    note = nh.source_note(local)
    assert "SYNTHETIC" not in note and "GDELT Events (local files)" in note
    assert "SYNTHETIC" in nh.source_note(local, demo)  # any synthetic frame taints the run


def test_doc_source_never_mixes_real_and_demo():
    assert nh.doc_source_for(_frame("demo", True)) == "demo"
    assert nh.doc_source_for(_frame("local", False)) == "auto"


def test_before_after_known_answer():
    days = pd.date_range("2026-01-01", periods=20)
    frame = pd.DataFrame({"date": days, "dyad": "RUS→KOR", "index": "volume",
                          "value": np.where(days >= "2026-01-11", 5.0, 1.0)})
    ms = pd.DataFrame({"id": ["x"], "short": ["X"], "date": [pd.Timestamp("2026-01-11")]})
    t = nh.before_after(frame, ms, ["x", "2026-01-06"], days=5)
    first = t.iloc[0]
    assert (first["milestone"], first["before"], first["after"], first["change"]) == (
        "X", 1.0, 5.0, 4.0)
    second = t.iloc[1]  # a plain date: 5 days of 1 before, 5 days of 1 after
    assert second["change"] == 0.0 and second["n_after"] == 5
    with pytest.raises(ValueError, match="known ids: x"):
        nh.before_after(frame, ms, ["nonsense"])


@pytest.fixture(scope="module")
def threat_series():
    cube = toolkit.load_cube("2025-06-01", "2026-06-30", source="demo", actors=["RUS", "KOR"])
    totals = toolkit.load_daily_totals("2025-06-01", "2026-06-30", source="demo")
    # the planted warning is the government's: the official voice carries it
    df = toolkit.compute_indices(cube, totals, ["threat_rate"], dyads=["RUS→KOR"],
                                 speakers="official")
    return df


def test_event_study_wording_on_demo_data_is_illustrative(threat_series):
    res = toolkit.event_study(threat_series, ["2026-02-21"], n_placebo=300, seed=1)
    text = nh.describe_event_study(res, series="RUS→KOR official threat rate")
    assert text.startswith("**Illustrative only — synthetic demo data.**")
    assert "recovers the planted effect" in text and "(GOV) ×12" in text
    assert "real GDELT" not in text


def test_event_study_wording_on_real_data_states_uncertainty(threat_series):
    real = threat_series.copy()
    real.attrs.update(source="local", synthetic=False)
    res = toolkit.event_study(real, ["2026-02-21", "2025-10-01"], n_placebo=300, seed=1)
    text = nh.describe_event_study(res, series="RUS→KOR threat rate")
    assert "real GDELT data" in text and "Illustrative" not in text and "planted" not in text
    p = res.effects["p_value"].tolist()
    assert f"placebo p = {p[0]:.3g}" in text and f"placebo p = {p[1]:.3g}" in text
    assert "not proof that the milestone caused it" in text
    assert "would pass by chance alone" in text
