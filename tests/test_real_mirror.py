"""The whole workflow on real-shaped GDELT data: fetch ten years of GDELT 1.0 daily files from
a mirror built from real rows (tests/real_mirror.py: 404 days, sparse dyads, days without
articles), then every notebook on ``--source local``; and a cache holding only a few days of
GDELT 2.0 (one of them partial) run with the default ``SOURCE="auto"``.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import real_mirror as RM
from gdelt_mirror import MirrorServer

import toolkit
from toolkit import daily_coverage as DC

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = ["01-quickstart", "02-dyads-vs-milestones", "03-purl-2026", "04-statistics",
             "05-scale-out"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    m = RM.build(tmp_path_factory.mktemp("mirror"))
    with MirrorServer(m) as srv:
        yield srv


def _cli(*args, data_dir, timeout=600) -> subprocess.CompletedProcess:
    env = dict(os.environ, TOOLKIT_DATA_DIR=str(data_dir))
    env.pop("TOOLKIT_SOURCE", None)
    return subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


def _fetch(server, data_dir, start, end, product):
    return _cli("fetch", "events", "--start", start, "--end", end, "--product", product,
                "--base-url", server.url, "--data-dir", str(data_dir), "--no-progress",
                "--attempts", "1", "--backoff", "0", data_dir=data_dir)


def _page_text(path) -> str:
    """The visible text of an executed notebook page (tags stripped, entities decoded,
    white space collapsed)."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
    return re.sub(r"\s+", " ", text)


def test_fetch_then_every_notebook_on_the_real_shaped_local_cache(server, tmp_path):
    ddir = tmp_path / "cache"
    r = _fetch(server, ddir, RM.START, RM.END, "v1")
    assert r.returncode == 0, r.stderr
    assert "3 missing (404 gaps)" in r.stdout, r.stdout

    cov = toolkit.coverage(RM.START, RM.END, source="local", data_dir=ddir)
    missing = cov.loc[cov["status"] == "missing", "date"].dt.strftime("%Y-%m-%d").tolist()
    assert missing == list(RM.MISSING_DAYS)
    assert DC.counts(cov)["complete"] == len(cov) - len(RM.MISSING_DAYS)
    assert set(cov["files_expected"]) == {1}
    # sparse dyads: PRK→KOR has no event on most days
    cube = toolkit.load_cube(RM.START, RM.END, source="local", data_dir=ddir)
    prk_kor_days = cube[(cube["source"] == "PRK") & (cube["target"] == "KOR")]["date"].nunique()
    assert prk_kor_days < 0.5 * len(cov)

    out = tmp_path / "reports"
    r = _cli("report", "--source", "local", "--out", str(out), data_dir=ddir, timeout=1200)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    man = json.loads((out / "manifest.json").read_text())
    assert [n["error"] for n in man["notebooks"]] == [None] * len(NOTEBOOKS)
    assert all(f["html"] and (out / f["html"]).is_file() for f in man["figures"])
    assert {f["notebook"] for f in man["figures"]} == set(NOTEBOOKS)
    if shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("chrome"):
        assert all(f.get("png") and (out / f["png"]).is_file() for f in man["figures"])

    pages = {n: _page_text(out / f"{n}.html") for n in NOTEBOOKS}
    for n in NOTEBOOKS:  # every page says, at its top, what the cache holds and its gaps
        assert "Local cache:" in pages[n], n
    for n in ("01-quickstart", "02-dyads-vs-milestones", "04-statistics"):
        assert "3 missing (no GDELT file" in pages[n], n
    # the tests' inputs: how many days were set to NaN, and which
    assert re.search(r"Missing-data policy: 2 missing and 0 partial day\(s\) of \d+ set to NaN "
                     r"\(first: 2023-03-15, 2025-06-18\)", pages["03-purl-2026"])
    assert "Missing-data policy: 3 missing and 0 partial" in pages["04-statistics"]
    # nothing was planted: the generated conclusions find no evidence, and say what was left out
    assert "real GDELT data" in pages["03-purl-2026"]
    for n in ("03-purl-2026", "04-statistics"):
        assert "No evidence" in pages[n], n
        assert "were left out; none was imputed" in pages[n] or "none was left out" in pages[n]
        assert "recovers the planted effect" not in pages[n]


def test_a_cache_of_a_few_gdelt2_days_with_a_partial_day(server, tmp_path):
    """A researcher fetched three days of GDELT 2.0 (one of them partial) and runs the
    notebooks with the default SOURCE="auto": each says at its top what the cache holds, then
    analyses it or explains why it fell back to the demo and what to fetch."""
    ddir = tmp_path / "cache"
    r = _fetch(server, ddir, RM.V2_DAYS[0], RM.V2_DAYS[-1], "v2")
    assert r.returncode == 0, r.stderr
    cov = toolkit.coverage(RM.V2_DAYS[0], RM.V2_DAYS[-1], source="local", data_dir=ddir)
    published, listed_404, unlisted = RM.V2_PARTIAL["2024-06-19"]
    assert cov["status"].tolist() == ["complete", "partial", "complete"]
    assert cov["files_expected"].tolist() == [96, 96, 96]
    assert cov["files_ingested"].tolist() == [96, published, 96]
    assert cov["files_missing"].iloc[1] == listed_404 + unlisted

    out = tmp_path / "reports"
    r = _cli("report", "--out", str(out), *(str(REPO / "notebooks" / f"{n}.ipynb") for n in
                                          ("01-quickstart", "05-scale-out")),
             data_dir=ddir, timeout=900)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    quick = _page_text(out / "01-quickstart.html")
    assert "Local cache: GDELT 2.0 English 15-minute exports, days 2024-06-18..2024-06-20" \
        in quick
    assert "Falling back to the SYNTHETIC demo data" in quick
    assert "purl-asymmetric-warning (2026-02-21) -30..+30 days" in quick
    assert "toolkit fetch events --start 2017-01-01 --end 2026-10-31" in quick
    # 05 needs no particular days: it analyses what the cache holds, partial day included
    scale = _page_text(out / "05-scale-out.html")
    assert "analysing 2024-06-18..2024-06-20" in scale
    assert "1 partial (fewer files than GDELT publishes a day" in scale
