"""Who speaks: speaker groups, speaker-restricted indices and counts, official_share.

Known answers: hand-built cubes whose speakers are known, and the demo's planted 2026-02-21
warning, which is the Russian government's alone (GOV ×12): found with ``speakers="official"``
and diluted, smaller but still reported, with all speakers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import analysis as A
from toolkit import charts
from toolkit import schema as S
from toolkit import speakers as SP
from toolkit.sources.demo import cube as demo


def cube_of(rows: list[tuple]) -> pd.DataFrame:
    """rows: (date, source, source_type, target, root, quad, events, articles, gx, tx)."""
    recs = [{"date": d, "source": s, "source_type": st, "target": t, "root_code": r,
             "quad_class": q, "events": e, "root_events": e, "articles": a, "mentions": a,
             "sources": a, "goldstein_sum": 0.0, "goldstein_x_articles": gx,
             "tone_x_articles": tx}
            for d, s, st, t, r, q, e, a, gx, tx in rows]
    return S.coerce(pd.DataFrame(recs, columns=S.CUBE.names), S.CUBE)


TOTALS = S.coerce(pd.DataFrame({"date": pd.to_datetime(["2026-02-20", "2026-02-21"]),
                                "total_events": [100_000, 200_000],
                                "total_articles": [1, 1]}), S.DAILY_TOTALS)
CUBE = cube_of([
    ("2026-02-20", "RUS", "GOV", "KOR", "13", 3, 2, 4, -24.0, -20.0),
    ("2026-02-20", "RUS", "MED", "KOR", "13", 3, 1, 6, -36.0, -30.0),
    ("2026-02-20", "RUS", "", "KOR", "04", 1, 3, 5, 5.0, 10.0),
    ("2026-02-20", "RUS", "BUS", "KOR", "12", 3, 4, 5, -20.0, -5.0),
    ("2026-02-21", "RUS", "MIL", "KOR", "11", 3, 5, 10, -20.0, -40.0),
    ("2026-02-21", "RUS", "OPP", "KOR", "13", 3, 1, 1, -6.0, -3.0),
])


def values(df: pd.DataFrame, index: str) -> list[float]:
    return df[(df["index"] == index) & (df["dyad"] == "RUS→KOR")]["value"].tolist()


def test_groups_resolve_and_errors_name_the_choices():
    assert SP.resolve("official") == ("GOV", "MIL", "LEG", "JUD", "COP", "SPY", "UIS")
    assert SP.resolve(["media", "OPP", "MED"]) == ("MED", "OPP")
    assert SP.resolve(None) is None and SP.resolve("all") is None
    assert SP.resolve("unspecified") == ("",)
    with pytest.raises(ValueError, match=r"Unknown speaker group or type code 'oficial'; "
                                         r"choose a group \(official, media, society, "
                                         r"opposition, unspecified\)"):
        SP.resolve("oficial")
    with pytest.raises(ValueError, match="selects no one"):
        SP.resolve([])
    mine = {"state_media": ["med"], "official": ["GOV"]}
    assert SP.resolve(["state_media", "official"], mine) == ("MED", "GOV")
    with pytest.raises(ValueError, match=r"speaker_groups\['x'\] must be a list"):
        SP.resolve("x", {"x": "GOV"})
    # every group is disjoint from the others, and the table lists each code once
    t = SP.table()
    assert not t["code"].duplicated().any() and set(t["group"]) == set(SP.GROUPS)
    assert SP.describe("official").startswith("official speakers (GOV, MIL")
    assert SP.group_of(pd.Series(["MIL", "CVL", "REB", "", "IGO"])).tolist() == [
        "official", "society", "opposition", "unspecified", "other"]


def test_speakers_restrict_the_numerator_only():
    every = toolkit.compute_indices(CUBE, TOTALS, ["volume", "threat_rate",
                                                   "verbal_conflict_share", "tone"])
    off = toolkit.compute_indices(CUBE, TOTALS, ["volume", "threat_rate",
                                                 "verbal_conflict_share", "tone"],
                                  speakers="official")
    assert values(every, "threat_rate") == pytest.approx([30.0, 5.0])  # 3/1e5, 1/2e5
    assert values(off, "threat_rate") == pytest.approx([20.0, 0.0])  # GOV's 2; MIL no threat
    assert values(off, "volume") == pytest.approx([20.0, 25.0])  # GOV 2/1e5; MIL 5/2e5
    # officials' verbal conflict over ALL the dyad's events (10 on day 1, 6 on day 2)
    assert values(off, "verbal_conflict_share") == pytest.approx([2 / 10, 5 / 6])
    assert values(off, "tone") == pytest.approx([-20.0 / 20, -40.0 / 11])
    assert off.attrs["speakers"] == "official speakers"
    assert off.attrs["speaker_codes"][:2] == ["GOV", "MIL"]
    assert every.attrs["speakers"] == "all speakers" and every.attrs["speaker_codes"] is None


def test_official_share_known_answer():
    df = toolkit.compute_index(CUBE, TOTALS, "official_share")
    # day 1: verbal conflict GOV 2, MED 1, BUS 4 -> 2/7; day 2: MIL 5, OPP 1 -> 5/6
    assert values(df, "official_share") == pytest.approx([2 / 7, 5 / 6])
    mine = toolkit.compute_index(CUBE, TOTALS, "official_share",
                                 speaker_groups={"official": ["GOV", "MED"]})
    assert values(mine, "official_share") == pytest.approx([3 / 7, 0.0])
    quiet = toolkit.compute_index(CUBE[CUBE["quad_class"] != 3], TOTALS, "official_share")
    assert np.isnan(values(quiet, "official_share")).all()  # no verbal conflict: undefined


@pytest.mark.parametrize("index", ["volume", "threat_rate", "verbal_conflict_share",
                                   "hostility", "tone"])
def test_groups_that_partition_the_speakers_add_up_to_everyone(index):
    c = toolkit.load_cube("2022-01-01", "2022-03-31", source="demo")
    t = toolkit.load_daily_totals("2022-01-01", "2022-03-31", source="demo")
    every = toolkit.compute_index(c, t, index, freq="W")
    parts = [toolkit.compute_index(c, t, index, freq="W", speakers=g) for g in SP.GROUPS]
    parts.append(toolkit.compute_index(  # codes in no group
        c, t, index, freq="W", speakers=sorted(set(c["source_type"].astype(str))
                                               - {x for g in SP.GROUPS.values() for x in g})
        or ["IGO"]))
    total = sum(p["value"].to_numpy() for p in parts)
    np.testing.assert_allclose(total, every["value"].to_numpy(), rtol=1e-10)
    assert (np.abs(parts[0]["value"].to_numpy()) < np.abs(every["value"].to_numpy())).any()


@pytest.fixture(scope="module")
def demo_window():
    c = toolkit.load_cube("2025-09-01", "2026-06-30", source="demo")
    t = toolkit.load_daily_totals("2025-09-01", "2026-06-30", source="demo")
    return c, t


def _irr(c, t, **kw):
    res = A.count_model(c, t, "RUS", "KOR", {"warning": "2026-02-21"}, root_code="13",
                        duration=14, **kw)
    return res, res.table.query("model == 'negbin' and kind == 'level'").iloc[0]


def test_planted_official_effect_found_with_officials_and_diluted_with_everyone(demo_window):
    c, t = demo_window
    eff = next(e for e in demo.PLANTED_EFFECTS if e["name"] == "purl-asymmetric-warning")
    assert eff["speakers"] == ["GOV"]
    share = dict(zip(demo.SPEAKER_TYPES, demo._TYPE_SHARES["RUS"], strict=True))
    official = sum(v for k, v in share.items() if k in SP.GROUPS["official"])
    want_off = 1 + share["GOV"] / official * (eff["factor"] - 1)
    want_all = 1 + share["GOV"] / sum(share.values()) * (eff["factor"] - 1)
    res_off, off = _irr(c, t, speakers="official")
    res_all, every = _irr(c, t)
    assert off["irr_low"] < want_off < off["irr_high"] and off["p_value"] < 1e-10
    # all speakers: the same effect, diluted by the voices that did not change, still reported
    assert every["irr_low"] < want_all < every["irr_high"] and every["p_value"] < 1e-6
    assert every["irr"] < off["irr"] and every["irr_high"] < off["irr"]
    assert res_off.info["speakers"] == "official speakers"
    assert res_all.info["speakers"] == "all speakers"
    # the counts behind it: officials' threats are a part of everyone's
    assert (res_off.counts["events"] <= res_all.counts["events"]).all()
    # the media did not change their tune
    _, media = _irr(c, t, speakers="media")
    assert media["p_value"] > 0.01


def test_statistics_take_speaker_restricted_series_unchanged(demo_window):
    c, t = demo_window
    its = {}
    for who in (None, "official"):
        s = toolkit.compute_index(c, t, "threat_rate", dyads=["RUS→KOR"], speakers=who)
        its[who] = toolkit.event_study(s, ["2026-02-21"], n_placebo=300, seed=1)
    assert its["official"].summary["p_value"].iloc[0] < 0.01
    assert its["official"].summary["effect"].iloc[0] > its[None].summary["effect"].iloc[0]


def test_count_model_refuses_an_unknown_speaker(demo_window):
    c, t = demo_window
    with pytest.raises(ValueError, match="Unknown speaker group or type code 'gov-ish'"):
        A.count_model(c, t, "RUS", "KOR", {"w": "2026-02-21"}, speakers="gov-ish")
    with pytest.raises(ValueError, match="RUS→KOR has no events of root.s. 13 by UIS speakers"):
        A.count_model(c, t, "RUS", "KOR", {"w": "2026-02-21"}, root_code="13",
                      speakers="UIS")


def test_irr_chart_caption_names_the_speakers(demo_window):
    c, t = demo_window
    res, _ = _irr(c, t, speakers="official")
    fig = charts.plot_irr(res.table)
    text = " ".join(a.text for a in fig.layout.annotations if a.text)
    assert "by official speakers" in text


def test_notebook_helpers_compare_officials_with_everyone():
    from toolkit.notebook import helpers as nh

    c = toolkit.load_cube("2025-06-01", "2026-10-31", source="demo", actors=["RUS", "KOR"])
    t = toolkit.load_daily_totals("2025-06-01", "2026-10-31", source="demo")
    tab = nh.speaker_rate_ratios(c, t, "RUS", "KOR", "2026-02-21")
    assert tab["speakers"].tolist() == ["all speakers", "official speakers"]
    every, off = tab.iloc[0], tab.iloc[1]
    assert off["irr"] > every["irr"] > 1 and off["events"] < every["events"]
    text = nh.describe_speaker_rate_ratios(tab)
    assert text.startswith("**Illustrative only — synthetic demo data.**")
    assert f"- official speakers: ×{off['irr']:.2f}" in text
    assert "The rise is concentrated in official speakers" in text and "(GOV) ×12" in text
    frame = nh.by_speakers(c, t, "threat_rate", dyads=["RUS→KOR"], freq="W")
    assert set(frame["dyad"]) == {"RUS→KOR · all", "RUS→KOR · official"}
    assert frame.attrs["speakers"] == "all speakers vs official speakers"
    real = tab.copy()
    real.attrs = {**tab.attrs, "synthetic": False}
    assert "Illustrative" not in nh.describe_speaker_rate_ratios(real)
    assert "lower bound" in nh.describe_speaker_rate_ratios(real)


def test_by_speakers_puts_each_dyads_selections_side_by_side():
    from toolkit.notebook import helpers as nh

    c = toolkit.load_cube("2026-01-01", "2026-03-31", source="demo")
    t = toolkit.load_daily_totals("2026-01-01", "2026-03-31", source="demo")
    frame = nh.by_speakers(c, t, "threat_rate", dyads=["RUS→KOR", "KOR→RUS"], freq="M")
    assert list(pd.unique(frame["dyad"])) == [
        "RUS→KOR · all", "RUS→KOR · official",
        "KOR→RUS · all", "KOR→RUS · official"]
    alone = toolkit.compute_index(c, t, "threat_rate", dyads=["KOR→RUS"], freq="M",
                                  speakers="official")
    got = frame[frame["dyad"] == "KOR→RUS · official"]["value"].to_numpy()
    np.testing.assert_allclose(got, alone["value"].to_numpy())


def test_chart_captions_say_which_speakers():
    from toolkit import charts
    from toolkit.notebook import helpers as nh

    c = toolkit.load_cube("2026-01-01", "2026-03-31", source="demo")
    t = toolkit.load_daily_totals("2026-01-01", "2026-03-31", source="demo")
    off = toolkit.compute_index(c, t, "threat_rate", dyads=["RUS→KOR"], speakers="official")
    assert " · official speakers · " in charts.caption_text(off)
    every = toolkit.compute_index(c, t, "threat_rate", dyads=["RUS→KOR"])
    assert "speakers" not in charts.caption_text(every)  # unchanged when nobody is left out
    both = nh.by_speakers(c, t, "threat_rate", dyads=["RUS→KOR"])
    fig = charts.timeline(both)
    text = " ".join(a.text for a in fig.layout.annotations if a.text)
    assert "all speakers vs official speakers" in text


def test_rate_ratios_say_when_a_speaker_group_has_no_events():
    from toolkit.notebook import helpers as nh

    c = toolkit.load_cube("2025-06-01", "2026-10-31", source="demo", actors=["RUS", "KOR"])
    t = toolkit.load_daily_totals("2025-06-01", "2026-10-31", source="demo")
    tab = nh.speaker_rate_ratios(c, t, "RUS", "KOR", "2026-02-21", speakers=[None, "UIS"])
    assert tab["speakers"].tolist() == ["all speakers", "UIS speakers"]
    assert tab["events"].iloc[1] == 0 and np.isnan(tab["irr"].iloc[1])
    text = nh.describe_speaker_rate_ratios(tab)
    assert "- UIS speakers: no such events in this range, nothing to model" in text
    assert "concentrated" not in text


def test_event_study_text_says_when_nothing_can_be_tested():
    from toolkit.notebook import helpers as nh

    c = toolkit.load_cube("2025-06-01", "2026-10-31", source="demo", actors=["RUS", "KOR"])
    t = toolkit.load_daily_totals("2025-06-01", "2026-10-31", source="demo")
    none = toolkit.compute_index(c, t, "threat_rate", dyads=["RUS→KOR"], speakers="UIS")
    res, text = nh.event_study_text(none, ["2026-02-21"], name="RUS→KOR UIS threat rate",
                                    n_placebo=50, seed=1, untestable="skip")
    assert res is None
    assert text.startswith("**RUS→KOR UIS threat rate**: the event study cannot run on this "
                           "data: The series is constant (0 on every day)")
    off = toolkit.compute_index(c, t, "threat_rate", dyads=["RUS→KOR"], speakers="official")
    res, text = nh.event_study_text(off, ["2026-02-21"], name="x", n_placebo=50, seed=1)
    assert res is not None and text.startswith("**Illustrative only")
