"""`toolkit report` on a fresh laptop: no Chrome, and nothing about the machine in the outputs.

The run is a real subprocess whose PATH holds only the venv's ``bin`` folder, so kaleido finds
no Chrome/Chromium (as on a laptop without one), although this machine has /usr/bin/chromium.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import REPO

LEAKY = """\
import traceback
import toolkit
from toolkit.config import REPO_ROOT

try:  # an error raised inside the toolkit: its traceback names the toolkit's files
    toolkit.load_cube("2017-01-01", "2017-01-02", source="nope")
except ValueError:
    traceback.print_exc()
print("demo data in", REPO_ROOT / "data" / "demo")
"""


def _no_browser_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BROWSER_PATH", "TOOLKIT_SOURCE")}
    env["PATH"] = str(Path(sys.executable).parent)  # no chromium, no google-chrome on PATH
    env["TOOLKIT_DATA_DIR"] = str(tmp / "cache")
    return env


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nochrome")
    env = _no_browser_env(tmp)
    probe = subprocess.run([sys.executable, "-c", "from toolkit.charts import find_browser; "
                            "print(find_browser() or '')"], env=env, capture_output=True,
                           text=True, check=True)
    if probe.stdout.strip():  # e.g. a Chrome downloaded by plotly_get_chrome
        pytest.skip(f"cannot hide the browser {probe.stdout.strip()} from kaleido")
    leaky = tmp / "09-leaky.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(LEAKY)], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}}), leaky)
    out = tmp / "report"
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit", "report", "--out", str(out), "--source", "demo",
         str(REPO / "notebooks" / "01-quickstart.ipynb"), str(leaky)],
        env=env, cwd=tmp, capture_output=True, text=True, timeout=900)
    return proc, out


@pytest.mark.slow
def test_report_without_chrome_writes_everything_as_html_and_says_so_once(run):
    proc, out = run
    console = proc.stdout + proc.stderr
    assert proc.returncode == 0, console
    assert console.count("PNG figures skipped") == 1, console
    assert "apt-get install chromium" in console and "plotly_get_chrome" in console
    m = json.loads((out / "manifest.json").read_text())
    assert [n["error"] for n in m["notebooks"]] == [None, None]
    for n in m["notebooks"]:
        assert (out / n["html"]).stat().st_size > 1000
    assert len(m["figures"]) >= 2
    assert (out / "plotly.min.js").stat().st_size > 1_000_000  # the one shared copy
    for f in m["figures"]:
        page = (out / f["html"]).read_text()
        assert "Plotly.newPlot(" in page and 'src="../plotly.min.js"' in page and f["png"] is None
    assert not list((out / "figures").glob("*.png"))
    assert not list((out / "figures").glob("*.pending.json"))
    assert m["png_skipped"].startswith("PNG figures skipped")
    index = (out / "index.html").read_text()
    assert index.count("PNG figures skipped") == 1 and "apt-get install chromium" in index
    assert "failed" not in index
    # the banner names the data and the days it covers
    assert "Data shown: <b>synthetic demo data (not real GDELT), 2017-01-01 to 2026-10-31 " \
        "(3,591 days)</b>" in index


@pytest.mark.slow
def test_report_prints_no_kernel_encryption_warning(run):
    proc, _ = run
    assert "without encryption" not in proc.stdout + proc.stderr


@pytest.mark.slow
def test_report_outputs_show_no_absolute_path_of_the_checkout(run):
    proc, out = run
    repo = str(REPO.resolve())
    assert repo not in proc.stdout + proc.stderr
    files = [p for p in out.rglob("*") if p.is_file() and p.suffix in (".html", ".json")]
    assert len(files) > 5
    leaks = [p.name for p in files if repo in p.read_text(encoding="utf-8")]
    assert not leaks, f"{repo} appears in {leaks}"
    page = (out / "09-leaky.html").read_text(encoding="utf-8")
    # the traceback and the printed path are still there, relative to the checkout
    assert "toolkit/cube.py" in page and "Unknown source" in page
    assert "demo data in data/demo" in page
