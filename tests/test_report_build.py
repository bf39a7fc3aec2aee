"""The report engine's own behaviour, on tiny notebooks: failures, parallel runs, static HTML."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from toolkit.cli import main
from toolkit.notebook.report import build_report, static_outputs

from helpers import assert_png_not_blank, browser_found

SHOW = ("import plotly.graph_objects as go, toolkit\n"
        "fig = go.Figure(go.Scatter(y=[1, 3, 2]))\n"
        "fig.update_layout(title='tiny {n}')\n"
        "toolkit.show(fig, 'tiny', png=False)")


def _write(path, *sources):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources], metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("nbs")
    good = _write(d / "01-good.ipynb", SHOW.format(n=1).replace(", png=False", ""),
                  "import os; print('kernel sees SOURCE=' + os.environ['TOOLKIT_SOURCE'])")
    bad = _write(d / "02-bad.ipynb", SHOW.format(n=2), "raise RuntimeError('boom')",
                 "print('never reached')")
    out = d / "report"
    status = main(["report", "--out", str(out), "--source", "demo", "--jobs", "2", str(good),
                   str(bad)])
    return status, good, out


@pytest.mark.slow
def test_a_failing_notebook_does_not_stop_the_others(failed_run):
    status, _, out = failed_run
    assert status == 1
    m = json.loads((out / "manifest.json").read_text())
    by_name = {n["notebook"]: n for n in m["notebooks"]}
    assert by_name["01-good.ipynb"]["error"] is None
    assert by_name["02-bad.ipynb"]["error"] == "RuntimeError: boom"
    assert m["jobs"] == 2 and m["source"] == "demo"
    assert "kernel sees SOURCE=demo" in (out / "01-good.html").read_text()  # --source passed on
    # both pages exist; the failed one shows the traceback and the figure made before it
    bad_html = (out / "02-bad.html").read_text()
    assert "boom" in bad_html and "Plotly.newPlot" in bad_html
    assert {f["notebook"] for f in m["figures"]} == {"01-good", "02-bad"}
    assert "failed: RuntimeError: boom" in (out / "index.html").read_text()
    # the kernel deferred its PNG; the report process rendered it and removed the spec
    if browser_found():  # without a browser: HTML only, see test_report_no_browser
        assert_png_not_blank(out / "figures" / "01-good--tiny.png")
    else:
        assert not (out / "figures" / "01-good--tiny.png").exists() and m["png_skipped"]
    assert not list((out / "figures").glob("*.pending.json"))
    assert by_name["01-good.ipynb"]["figures"] == 1


@pytest.mark.slow
def test_manifest_lists_only_the_notebooks_of_this_run(failed_run):
    _, good, out = failed_run
    m = build_report(out, notebooks=[good], jobs=1)
    assert [n["notebook"] for n in m["notebooks"]] == ["01-good.ipynb"]
    assert [f["notebook"] for f in m["figures"]] == ["01-good"]
    assert (out / "figures" / "02-bad--tiny.html").exists()  # earlier files are left alone


def test_static_outputs_prefer_html_over_widgets():
    widget = "application/vnd.jupyter.widget-view+json"
    both = new_output("display_data", data={widget: {"model_id": "x"}, "text/html": "<b>s</b>",
                                            "text/plain": "w"})
    only = new_output("display_data", data={widget: {"model_id": "y"}, "text/plain": "w"})
    nb = new_notebook(cells=[new_code_cell("x", outputs=[both, only])],
                      metadata={"widgets": {"state": {}}})
    static_outputs(nb)
    outs = nb.cells[0].outputs
    assert widget not in outs[0]["data"] and outs[0]["data"]["text/html"] == "<b>s</b>"
    assert widget in outs[1]["data"]  # nothing static to fall back on: left as it was
    assert "widgets" not in nb.metadata
