"""DOC pacing and resumption across PROCESSES sharing one data dir (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pandas as pd
import pytest
from doc_server import FakeDocAPI

import toolkit

WORKER = """
import os, sys, time, toolkit
from toolkit.sources import doc, doc_registry, doc_http  # import everything before the start
query, start, end, url, interval = sys.argv[1:6]
sync = sys.argv[6] if len(sys.argv) > 6 else None
if sync:  # start line: report ready, then wait for the go file
    open(os.path.join(sync, f"ready-{os.getpid()}"), "w").close()
    while not os.path.exists(os.path.join(sync, "go")):
        time.sleep(0.005)
df = toolkit.doc_timeline(query, start, end, base_url=url, interval=float(interval),
                          backoff=0.01)
print(len(df), df.attrs["requests"], df.attrs["cache_hits"])
"""


def _spawn(data_dir, *args) -> subprocess.Popen:
    env = {**os.environ, "TOOLKIT_DATA_DIR": str(data_dir)}
    return subprocess.Popen([sys.executable, "-c", WORKER, *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _start_together(procs, sync) -> None:
    deadline = time.time() + 120
    while len(list(sync.glob("ready-*"))) < len(procs):
        assert time.time() < deadline, "workers did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    (sync / "go").touch()


@pytest.mark.slow
def test_two_processes_share_the_pace(data_dir, tmp_path):
    interval = 0.2
    with FakeDocAPI(min_interval=interval) as api:
        procs = [_spawn(data_dir, q, "2021-01-01", "2022-12-31", api.url, interval, tmp_path)
                 for q in ("rus-kor", "rus-prk")]
        _start_together(procs, tmp_path)
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, err
            assert out.split() == ["730", "8", "0"]
        assert api.request_count == 16 and api.violations == 0
        gaps = api.arrival_gaps()
        assert gaps.min() >= interval - 1e-3, gaps.min()
        # the two processes really overlapped: their requests interleave
        who = ["Kremlin) (\"South" in e["params"]["query"] for e in sorted(api.log,
                                                                         key=lambda e: e["t"])]
        switches = sum(a != b for a, b in zip(who, who[1:], strict=False))
        assert switches >= 2, who


@pytest.mark.slow
def test_two_processes_same_query_fetch_each_window_once(data_dir, tmp_path):
    interval = 0.15
    with FakeDocAPI(min_interval=interval) as api:
        procs = [_spawn(data_dir, "kor-prk", "2022-01-01", "2023-12-31", api.url, interval,
                        tmp_path) for _ in range(2)]
        _start_together(procs, tmp_path)
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
        wins = [e["params"]["startdatetime"] for e in api.log]
        assert len(wins) == len(set(wins)) == 8  # the peer's windows came from the cache
        assert api.violations == 0


@pytest.mark.slow
def test_killed_run_resumes_without_refetching(data_dir):
    interval = 0.3
    with FakeDocAPI(min_interval=interval) as api:
        p = _spawn(data_dir, "rus-kor", "2021-01-01", "2023-12-31", api.url, interval)
        cache = data_dir / "doc" / "timelinevol"
        deadline = time.time() + 60
        while time.time() < deadline and len(list(cache.rglob("*.json"))) < 4:
            time.sleep(0.02)
        p.kill()  # SIGKILL mid-run: no cleanup handlers run
        p.communicate(timeout=30)
        done = len(list(cache.rglob("*.json")))
        first = [e["params"]["startdatetime"] for e in api.log]
        assert 4 <= done < 12 and len(first) < 12, (done, first)
        # a kill during a write may leave a temporary *.part file, never a torn *.json
        for f in cache.rglob("*.json"):
            json.loads(f.read_text())

        df = toolkit.doc_timeline("rus-kor", "2021-01-01", "2023-12-31", base_url=api.url,
                                  interval=interval, backoff=0.01)
        second = [e["params"]["startdatetime"] for e in api.log][len(first):]
        assert df["date"].tolist() == pd.date_range("2021-01-01", "2023-12-31").tolist()
        assert df.attrs["cache_hits"] == done and df.attrs["requests"] == 12 - done
        # finished windows were not requested again (a window in flight at the kill may be)
        cached_before = set(first[:done])
        assert not cached_before & set(second), (first, second, done)
        assert len(set(first) | set(second)) == 12
        assert api.violations == 0
