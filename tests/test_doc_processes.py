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
import pandas as pd
from toolkit.sources.doc import client, registry  # import everything before the start
import toolkit.sources.doc.query
query, start, end, url, interval = sys.argv[1:6]
sync = sys.argv[6] if len(sys.argv) > 6 else None
split = sys.argv[7] if len(sys.argv) > 7 else None  # a gate between [start, split) and the rest

def gate(name):  # report at the line `name`, then wait until the test opens it
    open(os.path.join(sync, f"{name}-{os.getpid()}"), "w").close()
    while not os.path.exists(os.path.join(sync, f"go-{name}")):
        time.sleep(0.005)

spans = [(start, end)] if split is None else [
    (start, (pd.Timestamp(split) - pd.Timedelta(days=1)).date().isoformat()), (split, end)]
rows = requests = hits = 0
for i, (a, b) in enumerate(spans):
    if sync:
        gate("ready" if i == 0 else "half")
    df = toolkit.doc_timeline(query, a, b, base_url=url, interval=float(interval),
                              backoff=0.01)
    rows, requests = rows + len(df), requests + df.attrs["requests"]
    hits += df.attrs["cache_hits"]
print(rows, requests, hits)
"""


def _spawn(data_dir, *args) -> subprocess.Popen:
    env = {**os.environ, "TOOLKIT_DATA_DIR": str(data_dir)}
    return subprocess.Popen([sys.executable, "-c", WORKER, *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _open_gate(procs, sync, name: str) -> None:
    """Wait until every worker reported at the gate ``name``, then let them all through."""
    deadline = time.time() + 120
    while len(list(sync.glob(f"{name}-*"))) < len(procs):
        assert time.time() < deadline, f"workers did not reach the gate {name!r}"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    (sync / f"go-{name}").touch()


def _start_together(procs, sync) -> None:
    _open_gate(procs, sync, "ready")


@pytest.mark.slow
def test_two_processes_share_the_pace(data_dir, tmp_path):
    """Two processes fetching at once send, together, at most one request per interval.

    Both workers start at one gate, fetch their 2021 quarters, then meet at a second gate
    before their 2022 quarters: every process sends requests both before and after the
    other's, whoever wins each slot, and both compete for a slot right at each gate (where
    per-process pacing would send two requests at once).
    """
    interval = 0.2
    with FakeDocAPI(min_interval=interval) as api:
        procs = [_spawn(data_dir, q, "2021-01-01", "2022-12-31", api.url, interval, tmp_path,
                        "2022-01-01") for q in ("rus-kor", "rus-prk")]
        _start_together(procs, tmp_path)
        _open_gate(procs, tmp_path, "half")
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, err
            assert out.split() == ["730", "8", "0"]
        assert api.request_count == 16 and api.violations == 0
        gaps = api.arrival_gaps()
        assert gaps.min() >= interval - 1e-3, gaps.min()
        # the two processes really overlapped: their requests interleave (the half-way gate
        # guarantees it: both fetch 2021 before either fetches 2022)
        log = sorted(api.log, key=lambda e: e["t"])
        who = ["Kremlin) (\"South" in e["params"]["query"] for e in log]
        switches = sum(a != b for a, b in zip(who, who[1:], strict=False))
        assert switches >= 2, who
        assert [e["params"]["startdatetime"][:4] for e in log] == ["2021"] * 8 + ["2022"] * 8


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
