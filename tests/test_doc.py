"""DOC 2.0 API layer against a real HTTP server on 127.0.0.1 (tests/doc_server.py).

Pacing is shortened to fractions of a second; the server records request arrival times.
"""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pandas as pd
import pytest
from doc_server import FakeDocAPI

import toolkit
from toolkit.sources.doc import answers
from toolkit.sources.doc import query as doc
from toolkit.sources.doc.query import DocHTTPError, DocQueryError, DocRateLimitError

INTERVAL = 0.2
FAST = {"interval": INTERVAL, "backoff": 0.01}


@pytest.fixture
def api():
    with FakeDocAPI(min_interval=INTERVAL) as server:
        yield server


def _assert_paced(api, interval=INTERVAL):
    gaps = api.arrival_gaps()
    assert api.violations == 0
    assert len(gaps) == 0 or gaps.min() >= interval - 1e-3, gaps.min()


def _windows(api):
    return [(e["params"]["startdatetime"], e["params"]["enddatetime"]) for e in api.log]


# ---------------------------------------------------------------- timelines, windows, stitching

def test_three_years_stitched_daily_without_gaps_or_duplicates(api, data_dir):
    df = toolkit.doc_timeline("rus-kor", "2021-01-01", "2023-12-31", base_url=api.url, **FAST)
    assert list(df.columns) == ["date", "query", "mode", "series", "value", "norm"]
    assert str(df["date"].dtype) == "datetime64[ns]"
    days = pd.date_range("2021-01-01", "2023-12-31", freq="D")
    assert df["date"].tolist() == days.tolist()  # every day once, in order
    assert set(df["series"]) == {"Volume Intensity"} and df["norm"].isna().all()
    assert (df["query"] == "rus-kor").all() and (df["mode"] == "timelinevol").all()
    # one request per calendar quarter, each long enough for daily resolution, none repeated
    assert api.request_count == 12 == df.attrs["requests"]
    wins = _windows(api)
    assert len(set(wins)) == 12
    for s, e in wins:
        span = pd.to_datetime(e, format="%Y%m%d%H%M%S") - pd.to_datetime(s, format="%Y%m%d%H%M%S")
        assert pd.Timedelta(days=8) <= span <= pd.Timedelta(days=92)
    _assert_paced(api)
    prov = df.attrs["provenance"]
    assert len(prov) == 12 and all(p["url"].startswith(api.url) for p in prov)
    assert all(p["toolkit_version"] == toolkit.__version__ and p["fetched_at"] for p in prov)
    assert df.attrs["source"] == "api" and df.attrs["synthetic"] is False


def test_values_match_what_the_server_sent(api, data_dir):
    df = toolkit.doc_timeline("rus-prk", "2024-04-01", "2024-04-30", mode="timelinevolraw",
                              base_url=api.url, **FAST)
    body = api.respond(api.log[0]["params"])
    pts = {p["date"]: p for p in body["timeline"][0]["data"]}
    row = df[df["date"] == "2024-04-15"].iloc[0]
    assert row["series"] == "Article Count"
    assert row["value"] == pts["20240415T000000Z"]["value"]
    assert row["norm"] == pts["20240415T000000Z"]["norm"]


def test_multi_series_modes_are_long_and_named(api, data_dir):
    df = toolkit.doc_timeline("kor-prk", "2024-01-01", "2024-01-31",
                              mode="timelinesourcecountry", base_url=api.url, **FAST)
    assert set(df["series"]) == {"Russia", "South Korea", "United States"}
    assert df.groupby("series").size().eq(31).all()
    assert not df.duplicated(["date", "series"]).any()


def test_media_restriction_is_sent_as_fips_sourcecountry(api, data_dir):
    toolkit.doc_timeline("rus-kor@russian", "2024-01-01", "2024-01-31", base_url=api.url,
                         **FAST)
    q = api.log[0]["params"]["query"]
    assert q.startswith('(Russia OR Russian OR Moscow OR Kremlin) ("South Korea" OR Seoul)')
    assert "sourcecountry:RS" in q
    toolkit.doc_timeline("rus-prk", "2024-01-01", "2024-01-31", media="nk-watchers",
                         base_url=api.url, **FAST)
    assert "(domain:nknews.org OR domain:dailynk.com OR domain:38north.org)" in \
        api.log[-1]["params"]["query"]


def test_short_current_window_reaches_back_then_drops_overlap(api, data_dir, monkeypatch):
    monkeypatch.setattr(doc, "_now", lambda: pd.Timestamp("2026-10-03 12:00"))
    df = toolkit.doc_timeline("rus-kor", "2026-09-20", "2026-10-03", base_url=api.url, **FAST)
    assert df["date"].tolist() == pd.date_range("2026-09-20", "2026-10-03").tolist()
    wins = _windows(api)
    assert wins[-1] == ("20260926000000", "20261003235959")  # 8 days: still daily steps
    assert (df["date"].dt.hour == 0).all()


def test_end_after_today_is_clipped(api, data_dir, monkeypatch):
    monkeypatch.setattr(doc, "_now", lambda: pd.Timestamp("2026-11-26 09:00"))
    df = toolkit.doc_timeline("rus-kor", "2026-11-01", "2026-12-31", base_url=api.url, **FAST)
    assert df["date"].max() == pd.Timestamp("2026-11-26")
    assert _windows(api) == [("20261001000000", "20261126235959")]


def test_sub_daily_response_is_aggregated_with_a_warning():
    hours = pd.date_range("2024-01-01", periods=48, freq="h")
    body = {"timeline": [{"series": "Article Count", "data": [
        {"date": f"{h:%Y%m%dT%H%M%SZ}", "value": 1, "norm": 10} for h in hours]}]}
    with pytest.warns(UserWarning, match="sub-daily"):
        df = answers.parse_timeline(body, "timelinevolraw", "q")
    assert df["value"].tolist() == [24.0, 24.0] and df["norm"].tolist() == [240.0, 240.0]


# ---------------------------------------------------------------- cache

def test_rerun_makes_zero_requests(api, data_dir):
    a = toolkit.doc_timeline("rus-kor", "2022-01-01", "2022-12-31", mode="timelinetone",
                             base_url=api.url, **FAST)
    n = api.request_count
    b = toolkit.doc_timeline("rus-kor", "2022-01-01", "2022-12-31", mode="timelinetone",
                             base_url=api.url, **FAST)
    assert api.request_count == n == 4
    assert b.attrs["requests"] == 0 and b.attrs["cache_hits"] == 4
    assert b.attrs["source"] == "cache"
    pd.testing.assert_frame_equal(a, b, check_like=False)
    # a sub-range is served from the same windows
    c = toolkit.doc_timeline("rus-kor", "2022-03-01", "2022-05-15", mode="timelinetone",
                             base_url=api.url, **FAST)
    assert api.request_count == n and len(c) == 76
    files = sorted((data_dir / "doc" / "timelinetone").rglob("*.json"))
    assert len(files) == 4
    entry = json.loads(files[0].read_text())
    assert set(entry["provenance"]) >= {"url", "fetched_at", "toolkit_version", "query_text"}
    assert not list(data_dir.rglob("*.part"))


def test_unfinished_window_refreshed_after_ttl_finished_never(api, data_dir, monkeypatch):
    now = {"t": pd.Timestamp("2026-11-26 09:00")}
    monkeypatch.setattr(doc, "_now", lambda: now["t"])
    kw = dict(base_url=api.url, **FAST)
    toolkit.doc_timeline("rus-kor", "2026-09-01", "2026-11-20", **kw)
    assert api.request_count == 2  # Q3 (finished) + Q4 so far
    toolkit.doc_timeline("rus-kor", "2026-09-01", "2026-11-26", ttl=3600, **kw)
    assert api.request_count == 2  # Q4 within its TTL
    now["t"] = pd.Timestamp("2026-11-26 11:00")
    toolkit.doc_timeline("rus-kor", "2026-09-01", "2026-11-26", ttl=3600, **kw)
    assert api.request_count == 3  # Q4 refreshed, Q3 never again
    assert _windows(api)[-1] == ("20261001000000", "20261126235959")
    toolkit.doc_timeline("rus-kor", "2026-09-01", "2026-11-26", ttl=0, **kw)
    assert api.request_count == 4 and _windows(api)[-1][0] == "20261001000000"


def test_cache_only_source_errors_with_the_fetch_command(data_dir):
    with pytest.raises(LookupError, match="toolkit fetch doc --query 'rus-kor'"):
        toolkit.doc_timeline("rus-kor", "2022-01-01", "2022-02-01", source="cache")


# ---------------------------------------------------------------- pacing, retries, errors

def test_threads_share_the_pace(api, data_dir):
    errors = []

    def run(q):
        try:
            toolkit.doc_timeline(q, "2023-01-01", "2023-12-31", base_url=api.url, **FAST)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    ts = [threading.Thread(target=run, args=(q,)) for q in ("rus-kor", "rus-prk", "kor-prk")]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    assert api.request_count == 12
    _assert_paced(api)


def test_429_with_retry_after_then_success(api, data_dir):
    api.script.extend(["429:1"])
    df = toolkit.doc_timeline("rus-kor", "2024-01-01", "2024-02-01", base_url=api.url, **FAST)
    assert len(df) == 32
    assert [e["status"] for e in api.log] == [429, 200]
    assert api.log[1]["t"] - api.log[0]["t"] >= 1.0  # Retry-After honoured
    assert api.violations == 0


def test_rate_limit_notice_with_http_200_is_retried(api, data_dir):
    api.script.extend(["ratelimit-text"])
    df = toolkit.doc_timeline("rus-kor", "2024-01-01", "2024-02-01", base_url=api.url, **FAST)
    assert len(df) == 32 and api.request_count == 2


def test_long_retry_after_raises_instead_of_blocking(api, data_dir):
    api.script.extend(["429:3600"])
    with pytest.raises(DocRateLimitError, match="Retry-After"):
        toolkit.doc_timeline("rus-kor", "2024-01-01", "2024-02-01", base_url=api.url, **FAST)
    assert api.request_count == 1


def test_5xx_backoff_then_success_and_give_up(api, data_dir):
    api.script.extend(["500", "503"])
    df = toolkit.doc_timeline("rus-kor", "2024-01-01", "2024-02-01", base_url=api.url, **FAST)
    assert len(df) == 32 and [e["status"] for e in api.log] == [500, 503, 200]
    api.script.extend(["500"] * 3)
    with pytest.raises(DocHTTPError, match="after 3 attempts.*HTTP 500"):
        toolkit.doc_timeline("rus-prk", "2024-01-01", "2024-02-01", base_url=api.url,
                             retries=2, **FAST)
    assert api.request_count == 6
    _assert_paced(api)


def test_timeout_is_retried(api, data_dir):
    api.script.extend(["sleep:1.5"])
    t0 = time.perf_counter()
    df = toolkit.doc_timeline("rus-kor", "2024-01-01", "2024-02-01", base_url=api.url,
                              timeout=0.5, **FAST)
    assert len(df) == 32 and api.request_count == 2
    assert time.perf_counter() - t0 < 1.5  # gave up on the slow answer


@pytest.mark.parametrize("kind,message", [
    ("text", "The specified phrase is too short."),
    ("html", "Queries containing OR&#39;d terms must be surrounded by ()."),
])
def test_text_error_bodies_become_doc_query_error(api, data_dir, kind, message):
    api.script.append(f"{kind}:{message}")
    with pytest.raises(DocQueryError) as ei:
        toolkit.doc_timeline('"DPRK" Russia', "2024-01-01", "2024-02-01", base_url=api.url,
                             **FAST)
    err = ei.value
    assert err.query.startswith('"DPRK" Russia')
    assert err.api_message.startswith(message.replace("&#39;", "'")[:30])
    assert isinstance(err, ValueError) and api.request_count == 1  # not retried
    assert not (data_dir / "doc" / "timelinevol").exists()  # nothing cached


def test_malformed_json_is_retried_then_an_error(api, data_dir):
    api.script.append("bad-json")  # once: the retry gets the answer
    df = toolkit.doc_timeline("rus-kor", "2024-01-01", "2024-02-01", base_url=api.url, **FAST)
    assert len(df) == 32 and api.request_count == 2
    api.script.extend(["bad-json"] * 3)
    with pytest.raises(DocHTTPError, match="after 3 attempts.*malformed JSON"):
        toolkit.doc_timeline("rus-prk", "2024-01-01", "2024-02-01", base_url=api.url,
                             retries=2, **FAST)


def test_empty_result_is_an_empty_frame_with_the_schema(api, data_dir):
    df = toolkit.doc_timeline("Pyongyang nothingmatches", "2024-01-01", "2024-06-30",
                              base_url=api.url, **FAST)
    assert df.empty and list(df.columns) == ["date", "query", "mode", "series", "value", "norm"]
    assert str(df["date"].dtype) == "datetime64[ns]"
    assert api.request_count == 2
    toolkit.doc_timeline("Pyongyang nothingmatches", "2024-01-01", "2024-06-30",
                         base_url=api.url, **FAST)
    assert api.request_count == 2  # empty answers are cached too


def test_user_agent_and_env_base_url(api, data_dir, monkeypatch):
    seen = {}
    orig = api._handle

    def spy(h):
        seen["ua"] = h.headers.get("User-Agent")
        orig(h)

    monkeypatch.setattr(api, "_handle", spy)
    monkeypatch.setenv("GDELT_DOC_URL", api.url)
    toolkit.doc_timeline("rus-kor", "2024-01-01", "2024-02-01", **FAST)
    assert api.request_count == 1 and seen["ua"].startswith("gdelt-rhetoric-toolkit/")


# ---------------------------------------------------------------- bad input, before any request

@pytest.mark.parametrize("kwargs,match", [
    ({"mode": "timelinevolume"}, "Unknown DOC timeline mode.*timelinevol, timelinevolraw"),
    ({"query": "rus-kro"}, "Unknown DOC query name 'rus-kro'.*rus-kor"),
    ({"query": "rus-kor@tass"}, "Unknown media 'tass'.*russian"),
    ({"start": "2022-13-01"}, "not a valid calendar day|not a date"),
    ({"start": "last week"}, "not a date"),
    ({"start": "2023-05-01", "end": "2023-04-01"}, "after end"),
    ({"start": "2016-12-31"}, "before 2017-01-01"),
    ({"start": "2099-01-01", "end": "2099-02-01"}, "in the future"),
    ({"source": "bigquery"}, "Unknown source 'bigquery'.*api"),
])
def test_bad_input_fails_before_any_request(api, data_dir, kwargs, match):
    args = {"query": "rus-kor", "start": "2023-01-01", "end": "2023-03-31", **kwargs}
    q, s, e = args.pop("query"), args.pop("start"), args.pop("end")
    with pytest.raises(ValueError, match=match):
        toolkit.doc_timeline(q, s, e, base_url=api.url, **FAST, **args)
    assert api.request_count == 0


# ---------------------------------------------------------------- articles

def test_artlist_slices_past_250_and_dedups(data_dir):
    with FakeDocAPI(min_interval=0.05, articles_per_day=700) as api:
        arts = toolkit.doc_articles("rus-kor", "2024-03-01", "2024-03-02", base_url=api.url,
                                    interval=0.05, backoff=0.01)
        # 2 days x 700 evenly spaced articles, plus one syndicated URL every window returns
        assert len(arts) == 1401 and arts["url"].is_unique
        assert str(arts["seendate"].dtype) == "datetime64[ns]"
        assert arts["seendate"].is_monotonic_increasing
        assert arts["seendate"].min() == pd.Timestamp("2024-03-01")
        assert arts["seendate"].max() < pd.Timestamp("2024-03-03")
        assert api.request_count > 1 and all(e["params"]["maxrecords"] == "250"
                                              for e in api.log)
        n = api.request_count
        again = toolkit.doc_articles("rus-kor", "2024-03-01", "2024-03-02", base_url=api.url,
                                     interval=0.05, backoff=0.01)
        assert api.request_count == n and again.attrs["requests"] == 0
        assert again["url"].tolist() == arts["url"].tolist()
        assert api.violations == 0


def test_every_parsed_row_carries_the_query_label(api, data_dir):
    """The ``query`` column names the query (with its media) the rows answer."""
    day = {"date": "20240301T000000Z", "value": 0.5, "norm": 1000}
    tl = answers.parse_timeline({"timeline": [{"series": "Volume Intensity", "data": [
        day, {**day, "date": "20240302T000000Z"}]}]}, "timelinevol", "rus-kor@russian")
    assert tl["query"].tolist() == ["rus-kor@russian"] * 2
    art = {"url": "https://example.org/a", "title": "t", "seendate": "20240301T120000Z"}
    arts = answers.parse_articles({"articles": [art, {**art, "url": "https://example.org/b"}]},
                                  "rus-kor@russian")
    assert arts["query"].tolist() == ["rus-kor@russian"] * 2
    for q in ("rus-kor", "rus-kor@russian"):
        got = toolkit.doc_articles(q, "2024-03-01", "2024-03-01", base_url=api.url, **FAST)
        again = toolkit.doc_articles(q, "2024-03-01", "2024-03-01", base_url=api.url, **FAST)
        assert again.attrs["requests"] == 0  # the second one read from the cache
        for df in (got, again):
            assert len(df) > 0 and df["query"].tolist() == [q] * len(df)


def test_artlist_empty(api, data_dir):
    arts = toolkit.doc_articles("Seoul nothingmatches", "2024-03-01", "2024-03-02",
                                base_url=api.url, **FAST)
    assert arts.empty and "seendate" in arts.columns and "url" in arts.columns


# ---------------------------------------------------------------- notebooks: load_doc_timelines

def test_load_doc_timelines_auto_prefers_complete_cache(api, data_dir):
    demo = toolkit.load_doc_timelines(["rus-kor"], ["timelinevol"], "2024-01-01", "2024-03-31")
    assert demo.attrs["source"] == "demo" and demo.attrs["synthetic"] is True
    toolkit.doc_timeline("rus-kor", "2024-01-01", "2024-03-31", base_url=api.url, **FAST)
    n = api.request_count
    real = toolkit.load_doc_timelines(["rus-kor"], ["timelinevol"], "2024-01-01",
                                      "2024-03-31")
    assert real.attrs["source"] == "cache" and real.attrs["synthetic"] is False
    assert len(real) == 91 and api.request_count == n
    # one pair missing -> the whole answer is demo, never a mix
    mixed = toolkit.load_doc_timelines(["rus-kor", "rus-prk"], ["timelinevol"], "2024-01-01",
                                       "2024-03-31")
    assert mixed.attrs["source"] == "demo" and set(mixed["query"]) == {"rus-kor", "rus-prk"}
    with pytest.raises(LookupError, match="toolkit fetch doc --query 'rus-prk'"):
        toolkit.load_doc_timelines(["rus-kor", "rus-prk"], ["timelinevol"], "2024-01-01",
                                   "2024-03-31", source="cache")


def test_load_doc_timelines_uses_cache_past_ttl_when_it_reaches(api, data_dir, monkeypatch):
    now = {"t": pd.Timestamp("2026-11-26 09:00")}
    monkeypatch.setattr(doc, "_now", lambda: now["t"])
    toolkit.doc_timeline("rus-kor", "2026-10-01", "2026-11-26", base_url=api.url, **FAST)
    now["t"] = pd.Timestamp("2026-11-28 12:00")  # a TTL and more later, offline
    df = toolkit.load_doc_timelines(["rus-kor"], ["timelinevol"], "2026-10-01", "2026-11-26")
    assert df.attrs["source"] == "cache" and df["date"].max() == pd.Timestamp("2026-11-26")
    df = toolkit.load_doc_timelines(["rus-kor"], ["timelinevol"], "2026-10-01", "2026-11-27")
    assert df.attrs["source"] == "demo"  # the cache stops a day short
    assert api.request_count == 1


def test_load_doc_timelines_demo_defaults():
    df = toolkit.load_doc_timelines(source="demo")
    assert set(df["query"]) == {"rus-kor", "rus-prk", "kor-prk", "purl-kor"}
    assert set(df["mode"]) == {"timelinevol", "timelinetone"}
    assert df["date"].min() == pd.Timestamp("2017-01-01")
    assert np.isfinite(df["value"]).all()


def test_docstring_examples_run():
    import doctest

    from toolkit.sources.doc import registry as doc_registry

    for mod in (doc, answers, doc_registry):
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        assert res.attempted > 0 and res.failed == 0, mod.__name__
