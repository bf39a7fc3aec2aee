"""DOC 2.0 API faults that must never leave wrong state in the cache (issue 13, cases 3, 6, 7).

Every test runs the project's fake DOC API (a real HTTP server on 127.0.0.1) and injects raw
answers shaped like the real API's (GDELT's own spacing, see
reference/doc-api-real-responses.md). After each fault the result, and the result of a rerun
without it, must equal a fault-free run, or the run must end in a clear one-line failure that
names the query and window; nothing invalid is ever cached.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings

import pandas as pd
import pytest
from doc_server import FakeDocAPI

import toolkit
from toolkit.cli import main
from toolkit.errors import CacheCorrupt, ToolkitError
from toolkit.sources.doc import cache as doc_cache
from toolkit.sources.doc import query as doc
from toolkit.sources.doc.query import DocBadAnswer, DocHTTPError, DocQueryError

INTERVAL = 0.05
FAST = {"interval": INTERVAL, "backoff": 0.01}
START, END = "2024-01-01", "2024-02-15"  # one quarter window: one request
JSON = "application/json"
# nginx's own 502 page, as a proxy in front of the API sends it (here with status 200)
NGINX_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>"
             b"502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
             b"</html>\r\n")


@pytest.fixture
def api():
    with FakeDocAPI(min_interval=INTERVAL) as server:
        yield server


def gdelt_json(series: str, points: list[tuple[str, float]], resolution: str = "day") -> bytes:
    """A timeline answer in GDELT's own spacing (``[ { "series"``, ``},{ "date"``)."""
    data = "},{ ".join(f'"date": "{d}", "value": {v}' for d, v in points)
    return (f'{{"query_details": {{"title": "Russia Korea", "date_resolution": "{resolution}"}}'
            f', "timeline": [ {{ "series": "{series}", "data": [ {{ {data}}} ] }} ]}}'
            ).encode()


def reference(tmp_path_factory, query="rus-kor", mode="timelinevol", start=START, end=END):
    """The frame a fault-free server gives (fresh server, fresh data dir)."""
    ddir = tmp_path_factory.mktemp("clean")
    with FakeDocAPI() as clean:
        return toolkit.doc_timeline(query, start, end, mode=mode, base_url=clean.url,
                                    data_dir=ddir, **FAST)


def cached_files(data_dir):
    return sorted((data_dir / "doc").rglob("*.json")) if (data_dir / "doc").exists() else []


def window_files(data_dir):
    return [p for p in cached_files(data_dir) if p.name != "pace.json"]


def assert_same(df, ref):
    pd.testing.assert_frame_equal(df.reset_index(drop=True), ref.reset_index(drop=True))


# ------------------------------------------------------------------ 1. cache poisoning

@pytest.mark.parametrize("body", [
    b'{"query_details": {"title": "x", "date_resolution": "day"}, "timeline": "oops"}',
    gdelt_json("Volume Intensity", [("bogus", 0.5)]),
    gdelt_json("Volume Intensity", [("20240101T000000Z", '"lots"')]),
    b'{"error": "backend unavailable"}',
    b"",
    b"   \n",
], ids=["timeline-string", "bogus-date", "string-value", "no-timeline", "empty", "blank"])
def test_invalid_answer_is_retried_then_reported_and_never_cached(api, data_dir, body,
                                                                 tmp_path_factory):
    api.script.extend([(200, JSON, body)] * 3)
    with pytest.raises(DocBadAnswer) as err:
        toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, retries=2, **FAST)
    msg = str(err.value)
    assert "'rus-kor'" in msg and "timelinevol" in msg and "2024-01-01..2024-03-31" in msg
    assert "after 3 attempts" in msg and "nothing was cached" in msg.lower()
    assert isinstance(err.value, ToolkitError) and not isinstance(err.value, ValueError)
    assert api.request_count == 3 and window_files(data_dir) == []
    # the next run (server healthy again) fetches it and gets the fault-free answer
    df = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert api.request_count == 4
    assert_same(df, reference(tmp_path_factory))


def test_one_invalid_answer_then_a_good_one_gives_the_fault_free_frame(api, data_dir,
                                                                      tmp_path_factory):
    api.script.append((200, JSON, gdelt_json("Volume Intensity", [("bogus", 0.5)])))
    df = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert api.request_count == 2
    assert_same(df, reference(tmp_path_factory))
    again = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert api.request_count == 2 and again.attrs["cache_hits"] == 1
    assert_same(again, df)


def test_cli_reports_an_invalid_answer_in_one_line_exit_1(api, data_dir, capsys):
    api.script.extend([(200, JSON, b'{"timeline": "oops"}')] * 2)
    code = main(["fetch", "doc", "--query", "rus-kor", "--start", START, "--end", END,
                 "--base-url", api.url, "--interval", str(INTERVAL), "--backoff", "0.01",
                 "--retries", "1"])
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]  # earlier lines: the retry warnings
    assert code == 1 and "Traceback" not in err and last.startswith("toolkit: ")
    assert "'rus-kor'" in last and "2024-01-01..2024-03-31" in last and "timeline" in last


def _poison(data_dir, response, *, raw: bytes | None = None, query="rus-kor",
            mode="timelinevol"):
    """Write a cache file as an older toolkit did (response stored before validation)."""
    spec = doc.load_registry().resolve(query)
    ws, we = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-31 23:59:59")
    path = doc_cache.window_path(data_dir, spec.key, mode, ws, we)
    doc_cache.write(path, response, url="http://old", query=spec.label, query_text=spec.text,
                    mode=mode, window=(ws, we), request=(ws, we),
                    fetched_at=pd.Timestamp("2024-06-01"))
    if raw is not None:
        path.write_bytes(raw)
    return path


@pytest.mark.parametrize("response,raw", [
    ({"timeline": "oops"}, None),
    ({"timeline": [{"series": "Volume Intensity", "data": [{"date": "bogus", "value": 1}]}]},
     None),
    ({}, b'{"provenance": {"fetched_at": "2024-06-01T00:00:00+00:00"'),  # cut short
], ids=["timeline-string", "bogus-date", "truncated-file"])
def test_poisoned_cache_file_is_ignored_with_a_warning_and_refetched(
        api, data_dir, response, raw, tmp_path_factory):
    path = _poison(data_dir, response, raw=raw)
    with pytest.warns(UserWarning, match=f"{path.name}.*fetching it again"):
        df = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert api.request_count == 1
    assert_same(df, reference(tmp_path_factory))
    # the file was replaced by the valid answer: the next run makes no request, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert api.request_count == 1


def test_poisoned_cache_never_crashes_load_doc_timelines(data_dir):
    path = _poison(data_dir, {"timeline": "oops"})
    with pytest.warns(UserWarning, match=path.name):
        df = toolkit.load_doc_timelines(["rus-kor"], ["timelinevol"], START, END,
                                        source="auto")
    assert df.attrs["source"] == "demo" and df.attrs["synthetic"] is True  # labelled synthetic
    with pytest.warns(UserWarning, match=path.name), pytest.raises(LookupError,
                                                                   match="toolkit fetch doc"):
        toolkit.load_doc_timelines(["rus-kor"], ["timelinevol"], START, END, source="cache")


def test_empty_object_is_the_apis_no_match_answer_and_is_cached(api, data_dir):
    # the real API answers a query with no matches with a literal {} (an empty result)
    api.script.append((200, JSON, b"{}"))
    df = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert df.empty and api.request_count == 1 and len(window_files(data_dir)) == 1


def test_invalid_article_list_is_retried_and_never_cached(api, data_dir, tmp_path_factory):
    article = {"url": "https://www.thehindu.com/news/x.ece", "url_mobile": "", "title": "X",
               "seendate": "bogus", "socialimage": "", "domain": "thehindu.com",
               "language": "English", "sourcecountry": "India"}
    api.script.extend([(200, JSON, json.dumps({"articles": [article]}).encode()),
                       (200, JSON, b'{"articles": "oops"}')])
    arts = toolkit.doc_articles("rus-kor", "2024-01-01", "2024-01-03", base_url=api.url, **FAST)
    assert api.request_count == 3
    with FakeDocAPI() as clean:
        ref = toolkit.doc_articles("rus-kor", "2024-01-01", "2024-01-03", base_url=clean.url,
                                   data_dir=tmp_path_factory.mktemp("clean"), **FAST)
    assert_same(arts, ref)


# ------------------------------------------------------------------ duplicate dates

def test_duplicate_date_keeps_the_first_value_with_a_warning(api, data_dir):
    pts = [("20240101T000000Z", 0.25), ("20240102T000000Z", 0.5), ("20240101T000000Z", 9.0)]
    api.script.append((200, JSON, gdelt_json("Volume Intensity", pts)))
    with pytest.warns(UserWarning, match=r"1 duplicate date.*kept the first"):
        df = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert df["value"].tolist() == [0.25, 0.5]
    assert df["date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02")]
    # what is cached is the resolved answer: a rerun gives the same frame, quietly
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert_same(again, df)


def test_duplicate_fifteen_minute_step_is_not_counted_twice_in_the_daily_sum(api, data_dir,
                                                                             monkeypatch):
    monkeypatch.setattr(doc, "_now", lambda: pd.Timestamp("2024-01-02 12:00"))
    pts = [("20240101T000000Z", 3), ("20240101T001500Z", 4), ("20240101T001500Z", 4)]
    api.script.append((200, JSON, gdelt_json("Article Count", pts, "15m")))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = toolkit.doc_timeline("rus-kor", "2024-01-01", "2024-01-01", mode="timelinevolraw",
                                  base_url=api.url, **FAST)
    said = " | ".join(str(w.message) for w in caught)
    assert "1 duplicate date" in said and "sub-daily steps; aggregating" in said
    assert df["value"].tolist() == [7.0]


# ------------------------------------------------------------------ 3. HTML 502 with 200

def test_html_502_page_with_status_200_is_a_server_error_and_retried(api, data_dir,
                                                                     tmp_path_factory):
    api.script.extend([(200, "text/html", NGINX_502)] * 2)
    df = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert api.request_count == 3
    assert_same(df, reference(tmp_path_factory))


def test_html_502_page_with_status_200_ends_in_a_server_failure_not_a_query_error(api,
                                                                                 data_dir):
    api.script.extend([(200, "text/html", NGINX_502)] * 3)
    with pytest.raises(DocHTTPError) as err:
        toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, retries=2, **FAST)
    assert not isinstance(err.value, DocQueryError)
    msg = str(err.value)
    assert "502 Bad Gateway" in msg and "after 3 attempts" in msg and " OR " not in msg
    assert window_files(data_dir) == []


def test_cli_html_502_with_status_200_exit_1_without_query_advice(api, data_dir, capsys):
    api.script.extend([(200, "text/html", NGINX_502)] * 2)
    code = main(["fetch", "doc", "--query", "rus-kor", "--start", START, "--end", END,
                 "--base-url", api.url, "--interval", str(INTERVAL), "--backoff", "0.01",
                 "--retries", "1"])
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert code == 1 and last.startswith("toolkit: ") and "502 Bad Gateway" in last
    assert "OR" not in err and "Traceback" not in err


def test_real_query_rejection_is_still_a_query_error(api, data_dir):
    api.script.append((200, "text/plain",
                       b"Queries containing OR'd terms must be surrounded by ().\n"))
    with pytest.raises(DocQueryError, match="OR'd terms"):
        toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert api.request_count == 1


# ------------------------------------------------------------------ 2. bounded bodies

def test_deep_nesting_is_rejected_cleanly(api, data_dir):
    api.script.append((200, JSON, b"[" * 200_000))
    with pytest.raises(DocBadAnswer, match="nested too deeply"):
        toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, retries=0, **FAST)
    assert window_files(data_dir) == []


def test_body_over_the_cap_is_cut_off_and_the_cap_is_configurable(api, data_dir, monkeypatch,
                                                                  tmp_path_factory):
    monkeypatch.setenv("TOOLKIT_DOC_MAX_BODY_MB", "0.001")  # 1,000 bytes
    with pytest.raises(DocBadAnswer, match=r"larger than 1,000 bytes.*TOOLKIT_DOC_MAX_BODY_MB"):
        toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, retries=0, **FAST)
    assert window_files(data_dir) == []
    monkeypatch.setenv("TOOLKIT_DOC_MAX_BODY_MB", "1")
    df = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert_same(df, reference(tmp_path_factory))
    monkeypatch.setenv("TOOLKIT_DOC_MAX_BODY_MB", "lots")
    with pytest.raises(ValueError, match="TOOLKIT_DOC_MAX_BODY_MB"):
        toolkit.doc_timeline("rus-prk", START, END, base_url=api.url, **FAST)


def test_control_characters_the_api_emits_are_still_repaired(api, data_dir):
    # the real API sometimes puts raw control characters and stray backslashes in strings
    body = gdelt_json("Volume Intensity", [("20240101T000000Z", 0.5)])
    body = body.replace(b'"title": "Russia Korea"', b'"title": "Russia\x01 Korea \\q"')
    api.script.append((200, JSON, body))
    df = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert df["value"].tolist() == [0.5] and api.request_count == 1


def test_connection_cut_mid_body_is_retried_and_never_cached(api, data_dir, tmp_path_factory):
    good = gdelt_json("Volume Intensity", [("20240101T000000Z", 0.5)])
    cut = (200, JSON, good[:40], {"Content-Length": str(len(good))})  # then the server hangs up
    api.script.append(cut)
    df = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert api.request_count == 2
    assert_same(df, reference(tmp_path_factory))
    api.script.extend([cut] * 2)
    with pytest.raises(DocHTTPError, match="after 2 attempts; last: connection failed"):
        toolkit.doc_timeline("rus-prk", START, END, base_url=api.url, retries=1, **FAST)
    assert len(window_files(data_dir)) == 1  # only rus-kor's window


_RSS_CHILD = textwrap.dedent("""
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_DATA, (3 * 2**30, 3 * 2**30))  # the old code: 5.4 GB
    import toolkit
    url, ddir = sys.argv[1], sys.argv[2]
    out = []
    for query in ("rus-kor", "rus-prk"):
        try:
            toolkit.doc_timeline(query, "2024-01-01", "2024-02-15", base_url=url,
                                 data_dir=ddir, interval=0.1, retries=0, backoff=0.01)
            out.append(["ok", ""])
        except BaseException as exc:
            out.append([type(exc).__name__, str(exc)[:300]])
    try:  # this process's own peak; ru_maxrss would include the forking pytest's RSS
        with open("/proc/self/status") as f:
            peak = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB -> MB
    print(json.dumps({"results": out, "peak_mb": peak}))
""")


def _truncated_timeline(n_bytes: int) -> bytes:
    """A real-looking daily timeline answer cut off after ``n_bytes`` (no closing brackets)."""
    one = '{ "date": "20240101T000000Z", "value": 0.1234, "norm": 169311}'
    n = n_bytes // (len(one) + 1) + 1
    head = ('{"query_details": {"title": "Russia Korea", "date_resolution": "day"}, '
            '"timeline": [ { "series": "Volume Intensity", "data": [ ')
    return (head + ",".join([one] * n)).encode()[:n_bytes]


def test_truncated_50_mb_body_costs_bounded_memory(api, tmp_path):
    """Peak RSS of a client given a truncated 50 MB body (over the cap) and a truncated 12 MB one
    (under the cap, so it is parsed): a clear error each, far below 600 MB.

    Measured as the child's VmHWM (Linux): on Linux ``ru_maxrss`` of a freshly executed child
    starts at the RSS of the process that forked it (here pytest, 200-800 MB by then).
    """
    api.script.extend([(200, JSON, _truncated_timeline(50 * 10**6)),
                       (200, JSON, _truncated_timeline(12 * 10**6))])
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_DOC_MAX_BODY_MB"}
    proc = subprocess.run([sys.executable, "-c", _RSS_CHILD, api.url, str(tmp_path)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    (kind1, msg1), (kind2, msg2) = got["results"]
    assert kind1 == "DocBadAnswer" and "larger than 16,777,216 bytes" in msg1, msg1
    assert kind2 == "DocBadAnswer" and "malformed JSON" in msg2, msg2
    print(f"peak RSS of the client: {got['peak_mb']:.0f} MB")
    assert got["peak_mb"] < 400, got  # issue 13: far below 600 MB
    assert window_files(tmp_path) == []


# ------------------------------------------------------------------ client settings

@pytest.mark.parametrize("kwargs,match", [
    ({"retries": -1}, "retries=-1 must be a whole number >= 0"),
    ({"retries": 1.5}, "retries=1.5"),
    ({"timeout": float("nan")}, "timeout=nan must be a finite number"),
    ({"timeout": 0}, "timeout=0"),
    ({"backoff": float("inf")}, "backoff=inf"),
    ({"interval": float("nan")}, "interval must be a finite number"),
])
def test_bad_client_settings_are_value_errors_before_any_request(api, data_dir, kwargs, match):
    args = {**FAST, **kwargs}
    with pytest.raises(ValueError, match=match):
        toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **args)
    assert api.request_count == 0


# ------------------------------------------------------------------ corrupt pacing state

@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", b'{"done": "yesterday"}',
                                     b'{"not_before": Infinity}',
                                     b'{"not_before": 32503680000.0}'])  # year 3000
def test_corrupt_pacing_state_is_cache_corrupt_naming_the_file(api, data_dir, content, capsys):
    state = data_dir / "doc" / "pace.json"
    state.parent.mkdir(parents=True)
    state.write_bytes(content)
    with pytest.raises(CacheCorrupt) as err:
        toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    msg = str(err.value)
    assert str(state) in msg and "delete it" in msg and msg.startswith("The DOC pacing state")
    assert api.request_count == 0
    code = main(["fetch", "doc", "--query", "rus-kor", "--start", START, "--end", END,
                 "--base-url", api.url, "--interval", str(INTERVAL)])
    err_text = capsys.readouterr().err
    assert code == 1 and str(state) in err_text and "Traceback" not in err_text
    # repaired as the message says: delete it and rerun
    state.unlink()
    df = toolkit.doc_timeline("rus-kor", START, END, base_url=api.url, **FAST)
    assert len(df) == 46 and api.request_count == 1
