"""DOC 2.0 API layer against a local server that enforces pacing (no internet).

Workload: 3-year daily timelines (2022-01-01..2024-12-31) of 3 registry queries × 2 modes,
with the pacing interval shortened to ``INTERVAL`` seconds. Reports

* requests made vs the minimum possible (one per ≤ 92-day window: 12 per query and mode);
* wall time vs requests × interval (target ≤ 1.1);
* requests and wall time on a rerun (target 0 requests);
* a same-process baseline: the same 72 windows requested back to back with plain
  ``requests`` and no pacing (what gdeltdoc does), counting the server's 429 answers; its
  mean time per request is the request latency, which the toolkit's pacing adds on purpose
  (the interval runs from the end of one request to the start of the next).
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

import requests

INTERVAL = 0.1
QUERIES = ("rus-kor", "rus-prk", "kor-prk")
MODES = ("timelinevol", "timelinetone")
START, END = "2022-01-01", "2024-12-31"


def main() -> dict:
    import pandas as pd

    # the fake DOC API is a test helper (tests/doc_server.py), not part of the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from doc_server import FakeDocAPI

    import toolkit
    from toolkit.sources.doc.query import timeline_windows
    from toolkit.sources.doc.registry import load_registry

    days = (pd.Timestamp(END) - pd.Timestamp(START)).days + 1
    minimum = len(QUERIES) * len(MODES) * math.ceil(days / 92)
    wins = timeline_windows(START, END)

    # baseline: unpaced plain requests for the same windows
    reg = load_registry()
    with FakeDocAPI(min_interval=INTERVAL) as api:
        s = requests.Session()
        t0 = time.perf_counter()
        for q in QUERIES:
            spec = reg.resolve(q)
            for m in MODES:
                for _ws, _we, rs, re_ in wins:
                    params = {**spec.filter_params(rs, re_), "mode": m, "format": "json"}
                    s.get(api.url, params=params, timeout=30)
        base_wall = time.perf_counter() - t0
        base_429 = sum(e["status"] == 429 for e in api.log)
        base_n = api.request_count

    with tempfile.TemporaryDirectory() as d, FakeDocAPI(min_interval=INTERVAL) as api:
        kw = dict(base_url=api.url, data_dir=d, interval=INTERVAL, backoff=0.05)
        t0 = time.perf_counter()
        rows = 0
        for q in QUERIES:
            for m in MODES:
                df = toolkit.doc_timeline(q, START, END, mode=m, **kw)
                assert df["date"].nunique() == days and not df.duplicated(
                    ["date", "series"]).any()
                rows += len(df)
        wall = time.perf_counter() - t0
        made, violations = api.request_count, api.violations
        t1 = time.perf_counter()
        for q in QUERIES:
            for m in MODES:
                toolkit.doc_timeline(q, START, END, mode=m, **kw)
        rerun_wall = time.perf_counter() - t1
        rerun_requests = api.request_count - made

    return {
        "workload": f"{len(QUERIES)} queries x {len(MODES)} modes, {START}..{END} daily "
                    f"({days} days), interval {INTERVAL} s, local server enforcing it",
        "rows": rows,
        "requests_made": made,
        "requests_minimum": minimum,
        "requests_ratio": round(made / minimum, 3),
        "pacing_violations_seen_by_server": violations,
        "wall_seconds": round(wall, 2),
        "requests_x_interval_seconds": round(made * INTERVAL, 2),
        "wall_vs_requests_x_interval": round(wall / (made * INTERVAL), 3),
        "target_wall_ratio": 1.1,
        # the pace is measured from the END of each request (so the server never sees two
        # requests closer than the interval), hence each request's own latency adds up:
        "unpaced_latency_ms_per_request": round(1000 * base_wall / base_n, 2),
        "wall_vs_requests_x_(interval+latency)": round(
            wall / (made * (INTERVAL + base_wall / base_n)), 3),
        "rerun_requests": rerun_requests,
        "rerun_wall_seconds": round(rerun_wall, 3),
        "baseline_unpaced_requests": base_n,
        "baseline_unpaced_429s": base_429,
        "baseline_unpaced_wall_seconds": round(base_wall, 2),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
