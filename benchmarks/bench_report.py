"""Wall time of ``make report`` on the demo data, once the environment exists.

Target: ≤ 90 s on a 2-core machine. Measured here:

* ``make report SOURCE=demo`` into a temporary folder, with the default of 2 notebooks at a time;
* the same with ``JOBS=1`` (the baseline, same process): the ratio says what running two
  kernels at once buys on this machine;
* the fixed cost of one notebook: a fresh kernel executing one empty cell (nbclient), times the
  number of notebooks, to show how much of the report is start-up rather than analysis.

When the virtualenv's stamp (``.venv/.installed``) is missing or older than pyproject.toml,
``make report`` would first reinstall the environment (needing the internet); the benchmark
then runs ``make report STAMP=`` (the same target without the environment step) and says so in
``timed``.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 90.0


def _env_ready() -> bool:
    return subprocess.run(["make", "-q", ".venv/.installed"], cwd=REPO,
                          capture_output=True).returncode == 0


def _report(out: Path, jobs: int | None, env_ready: bool) -> tuple[float, dict]:
    cmd = ["make", "--no-print-directory", "report", "SOURCE=demo", f"REPORT_OUT={out}"]
    if not env_ready:
        cmd.append("STAMP=")  # no environment step: the venv exists, only its stamp does not
    if jobs:
        cmd.append(f"JOBS={jobs}")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return seconds, json.loads((out / "manifest.json").read_text())


def _empty_notebook_seconds(tmp: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    t0 = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(tmp)}}
                   ).execute()
    return time.perf_counter() - t0


def main() -> dict:
    import os

    load_before = os.getloadavg()[0]
    env_ready = _env_ready()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        wall, manifest = _report(tmp / "default", None, env_ready)
        serial, _ = _report(tmp / "serial", 1, env_ready)
        empty = _empty_notebook_seconds(tmp)
    n = len(manifest["notebooks"])
    return {
        "timed": "make report SOURCE=demo" if env_ready else
                 "make report SOURCE=demo STAMP= (venv present but its stamp missing or stale: "
                 "the environment step is skipped, not timed)",
        "notebooks": n,
        "figures": len(manifest["figures"]),
        "failed_notebooks": [e["notebook"] for e in manifest["notebooks"] if e["error"]],
        "jobs_default": manifest.get("jobs"),
        "wall_seconds": round(wall, 1),
        "target_seconds": TARGET_SECONDS,
        "meets_target": wall <= TARGET_SECONDS,
        "per_notebook_seconds": {e["notebook"]: e["seconds"] for e in manifest["notebooks"]},
        "serial_wall_seconds": round(serial, 1),
        "speedup_vs_serial": round(serial / wall, 2),
        "empty_kernel_seconds": round(empty, 2),
        "startup_share_of_serial": round(n * empty / serial, 2),
        # other work on the machine inflates wall times: record the 1-minute load average
        "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "cpu_count": os.cpu_count(),
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
