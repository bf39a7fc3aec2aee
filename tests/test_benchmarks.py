"""The benchmarks still run against the code (``make bench`` is not part of ``make test``).

Only the quick ones run here; timings are never asserted (they are the benchmarks' business).
"""

from __future__ import annotations

import sys

from conftest import REPO


def test_bigquery_benchmark_runs_its_cube_on_the_current_key():
    # the cube key gained source_type (#16) and bench_bigquery's events lacked it: make bench
    # failed with a DuckDB binder error until this test was added
    sys.path.insert(0, str(REPO))
    from benchmarks import bench_bigquery

    out = bench_bigquery.main()
    assert out["pandas_baseline_seconds_300k_rows"] > 0  # its own check: same cube as pandas
    assert out["ranges"] and out["bytes_per_row"]["cube_query"] > 0
