"""`ruff check` is clean over the whole project (code, tests, notebooks, benchmarks)."""

import subprocess
import sys

from conftest import REPO


def test_ruff_clean():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise",
                        str(REPO)], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
