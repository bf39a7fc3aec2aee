"""make report's engine: executed HTML, figures as .html + .png, manifest, index."""

import json

import pytest

from toolkit.notebook.report import build_report

from conftest import REPO
from helpers import assert_png_not_blank, browser_found


@pytest.mark.slow
def test_report_for_quickstart(tmp_path):
    nb = REPO / "notebooks" / "01-quickstart.ipynb"
    m = build_report(tmp_path, notebooks=[nb], source="demo")
    assert (tmp_path / "01-quickstart.html").stat().st_size > 100_000
    html = (tmp_path / "01-quickstart.html").read_text()
    assert "plotly" in html.lower() and "Plotly.newPlot" in html
    assert (tmp_path / "index.html").exists()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest == json.loads(json.dumps(m))
    assert manifest["figures"], "no figures recorded"
    for f in manifest["figures"]:
        assert f["notebook"] == "01-quickstart" and f["source"] == "demo"
        assert f["synthetic"] is True and f["start"] and f["end"]
        assert (tmp_path / f["html"]).exists()
        if browser_found():  # PNGs as well (CI); without a browser see test_report_no_browser
            assert_png_not_blank(tmp_path / f["png"])
        else:
            assert f["png"] is None and manifest["png_skipped"]
    assert "synthetic" in (tmp_path / "index.html").read_text().lower()
