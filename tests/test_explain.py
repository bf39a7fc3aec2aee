"""``toolkit.explain``: the events that make one index value, with their share of it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_events_mentions import mentions_mirror  # noqa: F401  (a fixture)
from test_load_events import real_local  # noqa: F401  (a fixture)

import toolkit
from toolkit.sources.doc import cache as DC
from toolkit.sources.doc.registry import load_registry

ALL = ["volume", "threat_rate", "verbal_conflict_share", "hostility", "tone"]


@pytest.fixture(scope="module")
def demo_idx():
    c = toolkit.load_cube("2026-02-01", "2026-03-31", source="demo")
    t = toolkit.load_daily_totals("2026-02-01", "2026-03-31", source="demo")
    return {f: toolkit.compute_indices(c, t, ALL, dyads=["RUS→KOR", "KOR→RUS"], freq=f)
            for f in ("D", "W")}


def _value(idx, dyad, index, day):
    return idx[(idx["dyad"] == dyad) & (idx["index"] == index)
               & (idx["date"] == day)]["value"].iloc[0]


def _busiest_day(idx, dyad, index, lo="2026-02-21", hi="2026-03-06") -> str:
    """The day of the warning's two weeks with the largest |value| (a day with events)."""
    s = idx[(idx["dyad"] == dyad) & (idx["index"] == index) & (idx["date"] >= lo)
            & (idx["date"] <= hi)].set_index("date")["value"]
    return f"{s.abs().idxmax():%Y-%m-%d}"


@pytest.mark.parametrize("index", ALL)
def test_demo_explanation_reproduces_the_charted_value(demo_idx, index):
    day = _busiest_day(demo_idx["D"], "RUS→KOR", index)
    ex = toolkit.explain(demo_idx["D"], "RUS→KOR", index, day)
    assert ex.value == pytest.approx(_value(demo_idx["D"], "RUS→KOR", index, day), rel=1e-12)
    assert ex.value != 0 and len(ex.events) > 0
    # the demo cube rounds goldstein_x_articles to 0.001, hence the tolerance for hostility
    assert ex.events["share"].sum() == pytest.approx(1.0, abs=1e-3)
    assert ex.synthetic and "SYNTHETIC" in ex.summary()
    assert (ex.events["num_articles"].diff().dropna() <= 0).all()
    assert set(ex.events["source"] + ex.events["target"]) == {"RUSKOR"}


@pytest.mark.parametrize("index", ALL)
def test_a_frame_of_official_speakers_is_explained_by_their_events_alone(index):
    """The frame counts officials' events in its numerator: so does its explanation (it used
    to explain the all-speakers value, 78.5 for a charted 32.0 in volume)."""
    c = toolkit.load_cube("2026-02-01", "2026-02-28", source="demo")
    t = toolkit.load_daily_totals("2026-02-01", "2026-02-28", source="demo")
    idx = toolkit.compute_indices(c, t, [index], dyads=["RUS→KOR"], freq="M",
                                  speakers="official")
    ex = toolkit.explain(idx, "RUS→KOR", index, "2026-02-21")
    assert ex.value == pytest.approx(_value(idx, "RUS→KOR", index, "2026-02-01"), rel=1e-9)
    official = idx.attrs["speaker_codes"]
    assert len(ex.events) > 0 and ex.events["source_type"].isin(official).all()
    assert ex.events["share"].sum() == pytest.approx(1.0, abs=1e-3)
    assert any("count in the value" in n for n in ex.notes)
    everyone = toolkit.explain(toolkit.compute_indices(c, t, [index], dyads=["RUS→KOR"],
                                                       freq="M"), "RUS→KOR", index, "2026-02-21")
    assert len(everyone.events) > len(ex.events)


def test_threat_rate_is_made_of_threats_and_verbal_conflict_of_quad_3(demo_idx):
    day = _busiest_day(demo_idx["D"], "RUS→KOR", "threat_rate")
    ex = toolkit.explain(demo_idx["D"], "RUS→KOR", "threat_rate", day)
    assert len(ex.events) > 0 and set(ex.events["root_code"]) == {"13"}
    day = _busiest_day(demo_idx["D"], "KOR→RUS", "verbal_conflict_share")
    ex = toolkit.explain(demo_idx["D"], "KOR→RUS", "verbal_conflict_share", day)
    assert len(ex.events) > 0 and set(ex.events["quad_class"]) == {3}


def test_weekly_frame_explains_the_whole_week(demo_idx):
    ex = toolkit.explain(demo_idx["W"], "RUS→KOR", "threat_rate", "2026-02-25")  # a Wednesday
    assert ex.period == "2026-02-23..2026-03-01"
    assert ex.value == pytest.approx(_value(demo_idx["W"], "RUS→KOR", "threat_rate",
                                            "2026-02-23"), rel=1e-12)
    assert set(ex.events["date"].dt.strftime("%Y-%m-%d")) <= {
        f"2026-02-{d}" for d in range(23, 29)} | {"2026-03-01"}


def test_demo_html_says_synthetic_and_links_nothing_real(demo_idx):
    day = _busiest_day(demo_idx["D"], "RUS→KOR", "threat_rate")
    ex = toolkit.explain(demo_idx["D"], "RUS→KOR", "threat_rate", day)
    page = ex._repr_html_()
    assert "SYNTHETIC demo data" in page
    assert "<a href" not in page and "synthetic placeholder" in page
    assert "<table>" in page and ex.events["event_description"].iloc[0] in page


@pytest.mark.parametrize(("index", "message"), [
    ("rhetoric_intensity", "composite"), ("loudness", "Unknown index")])
def test_unexplainable_index_says_what_to_do(demo_idx, index, message):
    with pytest.raises(ValueError, match=message):
        toolkit.explain(demo_idx["D"], "RUS→KOR", index, "2026-02-21")


def test_mentions_frame_is_cut_to_the_events_shown(demo_idx):
    day = _busiest_day(demo_idx["D"], "RUS→KOR", "threat_rate")
    ex = toolkit.explain(demo_idx["D"], "RUS→KOR", "threat_rate", day)
    ids = ex.events["GLOBALEVENTID"].tolist()
    ment = pd.DataFrame({"GLOBALEVENTID": ids + [1, 2], "MentionIdentifier": [
        f"m{i}" for i in range(len(ids) + 2)]})
    got = toolkit.explain(demo_idx["D"], "RUS→KOR", "threat_rate", day,
                          mentions=ment).mentions
    assert sorted(got["GLOBALEVENTID"]) == sorted(ids)
    assert ex.mentions is None


# --------------------------------------------------------------------------- real rows
def _write_doc_window(ddir, start, end, articles):
    spec = load_registry().resolve("rus-kor", None)
    ws, we = pd.Timestamp(start), pd.Timestamp(end)
    path = DC.window_path(ddir, spec.key, "artlist", ws, we)
    DC.write(path, {"articles": articles}, url="http://127.0.0.1/api/v2/doc/doc",
             query="rus-kor", query_text=spec.text, mode="artlist", window=(ws, we),
             request=(ws, we))


def _article(url, seen):
    return {"url": url, "url_mobile": "", "title": f"Headline {url[-1]}", "seendate": seen,
            "socialimage": "", "domain": "example.org", "language": "English",
            "sourcecountry": "United States"}


@pytest.mark.parametrize("index", ALL)
def test_local_explanation_of_real_rows_adds_up_exactly(real_local, index):  # noqa: F811
    c = toolkit.load_cube("2024-05-01", "2024-06-30", source="local", data_dir=real_local)
    t = toolkit.load_daily_totals("2024-05-01", "2024-06-30", source="local",
                                  data_dir=real_local)
    idx = toolkit.compute_indices(c, t, ALL, dyads=["RUS→KOR"], freq="M")
    ex = toolkit.explain(idx, "RUS→KOR", index, "2024-05-10", data_dir=real_local)
    assert ex.period == "2024-05-01..2024-05-31" and not ex.synthetic
    assert ex.value == pytest.approx(_value(idx, "RUS→KOR", index, "2024-05-01"), rel=1e-12)
    assert ex.events["contribution"].sum() == pytest.approx(ex.value, rel=1e-9)
    assert np.isclose(ex.events["share"].sum(), 1.0, atol=1e-9)


def test_local_explanation_brings_cached_doc_articles_of_the_period(real_local):  # noqa: F811
    c = toolkit.load_cube("2024-06-01", "2024-06-30", source="local", data_dir=real_local)
    t = toolkit.load_daily_totals("2024-06-01", "2024-06-30", source="local",
                                  data_dir=real_local)
    idx = toolkit.compute_indices(c, t, ["volume"], dyads=["RUS→KOR"])
    ex = toolkit.explain(idx, "RUS→KOR", "volume", "2024-06-05", data_dir=real_local)
    assert ex.doc_articles is None
    assert any("toolkit.doc_articles('rus-kor', '2024-06-05'" in n for n in ex.notes)
    _write_doc_window(real_local, "2024-06-01", "2024-06-30 23:59:59", [
        _article("https://example.org/a1", "20240605T101500Z"),
        _article("https://example.org/a2", "20240604T235900Z"),  # the day before
        _article("https://example.org/a3", "20240605T235959Z")])
    ex = toolkit.explain(idx, "RUS→KOR", "volume", "2024-06-05", data_dir=real_local)
    assert ex.doc_articles["url"].tolist() == ["https://example.org/a1",
                                               "https://example.org/a3"]
    page = ex._repr_html_()
    assert '<a href="https://example.org/a1"' in page
    assert "SYNTHETIC" not in page
    # real SOURCEURLs are clickable
    assert page.count('<a href="http') >= min(len(ex.events), 25)


# --------------------------------------------------------------------------- bigquery
def test_bigquery_explanation_says_how_to_fetch_then_adds_up(data_dir):
    from test_bigquery_client import FakeBigQueryClient
    from test_bigquery_sql import END, START, events_frame, fixture_rows
    from test_load_events import FakeClient

    toolkit.fetch_bigquery(START, END, client=FakeBigQueryClient(), data_dir=data_dir,
                           verbose=False)
    cube = toolkit.load_cube(START, END, source="bigquery", data_dir=data_dir)
    totals = toolkit.load_daily_totals(START, END, source="bigquery", data_dir=data_dir)
    idx = toolkit.compute_indices(cube, totals, ["volume"], dyads=["RUS→KOR"], freq="M")
    ex = toolkit.explain(idx, "RUS→KOR", "volume", START, data_dir=data_dir)
    # the month is clipped to the days the frame holds, as its value is
    assert ex.period == f"{START}..{END}" and len(ex.events) == 0 and ex.value > 0
    assert any("toolkit events --source bigquery --fetch" in n for n in ex.notes)
    assert "--fetch" in ex._repr_html_()

    rows = events_frame(fixture_rows(), blank_as_null=True)
    s, e = ex.start, ex.end
    toolkit.fetch_bigquery_events(s, e, dyads="RUS→KOR", client=FakeClient(rows),
                                  data_dir=data_dir, verbose=False)
    ex = toolkit.explain(idx, "RUS→KOR", "volume", START, data_dir=data_dir)
    assert len(ex.events) > 0 and ex.source == "bigquery"
    assert ex.events["share"].sum() == pytest.approx(1.0, abs=1e-12)


def test_limit_keeps_the_most_reported_and_says_how_many_make_the_value(demo_idx):
    full = toolkit.explain(demo_idx["W"], "RUS→KOR", "threat_rate", "2026-02-23")
    top = toolkit.explain(demo_idx["W"], "RUS→KOR", "threat_rate", "2026-02-23", limit=5)
    assert len(full.events) > 5 and len(top.events) == 5
    pd.testing.assert_frame_equal(top.events, full.events.head(5))
    assert f"from {len(full.events)} events, 5 most reported shown" in top.summary()
    assert f"{len(full.events) - 5} less reported events not listed" in top._repr_html_()


def test_a_cube_can_be_explained_too():
    cube = toolkit.load_cube("2026-02-20", "2026-02-22", source="demo")
    ex = toolkit.explain(cube, ("KOR", "RUS"), "volume", "2026-02-21")
    want = cube[(cube["date"] == "2026-02-21") & (cube["source"] == "KOR")
                & (cube["target"] == "RUS")]["events"].sum()
    assert ex.period == "2026-02-21" and len(ex.events) == want > 0
    assert ex.dyad == "KOR→RUS"


# --------------------------------------------------------------------------- mentions
def test_local_explanation_lists_every_stored_mention(mentions_mirror, data_dir):  # noqa: F811
    """With ``toolkit fetch events --mentions``, explain lists every article that mentioned
    the events (not only their first, SOURCEURL), including mentions a day later."""
    from test_events_mentions import LATE, RANGE, _fetch

    from toolkit.sources.events.mentions import read_mentions

    m, names, mnames, srv = mentions_mirror
    _fetch(srv, data_dir, mentions=True)
    # an event mentioned again a day later (real rows of the 2019-10-24 14:30 export)
    allm = read_mentions(data_dir=data_dir)
    late = set(allm.loc[(allm["mention_time"] == pd.Timestamp(LATE))
                        & (allm["event_time"] < pd.Timestamp(LATE)), "GLOBALEVENTID"])
    ev = toolkit.load_events(*RANGE, source="local", data_dir=data_dir)
    hit = ev[ev["GLOBALEVENTID"].isin(late)].iloc[0]
    dyad, day = f"{hit.source}→{hit.target}", f"{hit.date:%Y-%m-%d}"
    cube = toolkit.load_cube(*RANGE, source="local", data_dir=data_dir)
    # the stored Mentions sit beside the export rows: the events still add up to the cube
    from test_load_events import SUMS, assert_adds_up

    assert_adds_up(ev, cube, cols=SUMS)
    totals = toolkit.load_daily_totals(*RANGE, source="local", data_dir=data_dir)
    idx = toolkit.compute_indices(cube, totals, ["volume"], dyads=[dyad])
    ex = toolkit.explain(idx, dyad, "volume", day, data_dir=data_dir)
    want = read_mentions(event_ids=ex.events["GLOBALEVENTID"].tolist(), data_dir=data_dir)
    assert len(want) > len(ex.events) > 0  # more articles than first URLs
    assert sorted(ex.mentions["url"]) == sorted(want["url"])
    later = ex.mentions[ex.mentions["GLOBALEVENTID"] == hit.GLOBALEVENTID]
    assert (later["mention_time"] == pd.Timestamp(LATE)).any()
    page = ex._repr_html_()
    assert "Every article that mentioned these events" in page
    assert f"Mentions: {len(want)} stored articles" in ex.summary()
    # without --mentions nothing is shown, and nothing fails
    ex2 = toolkit.explain(idx, dyad, "volume", RANGE[0], data_dir=data_dir,
                          mentions=want.iloc[:0])
    assert ex2.mentions is not None and len(ex2.mentions) == 0
