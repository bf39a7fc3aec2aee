"""Every notebook: committed without outputs, and executes on the demo data without errors."""

import json

import pytest

from conftest import REPO
from helpers import assert_png_not_blank, browser_found

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert any(p.name.startswith("01-quickstart") for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name} has outputs; strip them"
            assert cell.get("execution_count") is None, f"{path.name} has execution counts"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_on_demo_data(path, tmp_path, monkeypatch):
    from toolkit.notebook.report import execute_notebook

    figs = tmp_path / "figures"
    nb = execute_notebook(path, figures_dir=figs, source="demo")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    htmls = sorted(figs.glob("*.html"))
    assert htmls, f"{path.name} showed no figure through toolkit.show"
    pngs = sorted(figs.glob("*.png"))
    if not browser_found():  # no Chrome: the figures are saved as HTML only
        assert not pngs and not list(figs.glob("*.pending.json"))
        return
    assert [p.with_suffix(".html") for p in pngs] == htmls
    for png in pngs:
        assert_png_not_blank(png)
