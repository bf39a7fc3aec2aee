"""README.md is the front door: short, the two commands first, the demo caveat, a first example
that runs, where to go next, and how to cite (the manual is docs/, checked in test_docs.py)."""

import re
import subprocess
import sys

import toolkit

from helpers import doc_blocks, doc_text

README = doc_text("README.md")

#: A front door, not the manual.
MAX_LINES = 250


def test_readme_is_a_front_door():
    n = len(README.splitlines())
    assert n <= MAX_LINES, f"README.md has {n} lines (at most {MAX_LINES}): move text to docs/"


def test_quick_start_comes_first_with_the_two_commands():
    headings = re.findall(r"^## .+$", README, re.M)
    assert headings[0] == "## Quick start"
    block = doc_blocks("README.md", lang="bash", heading="## Quick start")[0].code
    assert re.search(r"^make report\b", block, re.M) and re.search(r"^make test\b", block, re.M)
    assert block.index("make report") < block.index("make test")


def test_readme_says_demo_data_is_synthetic():
    assert "## The demo data is synthetic" in README
    assert "not GDELT data" in README


def test_five_line_example_draws_a_chart_labelled_synthetic(tmp_path):
    [block] = doc_blocks("README.md", lang="python")
    assert len(block.code.strip().splitlines()) <= 5
    proc = subprocess.run([sys.executable, "-c", block.code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [html] = tmp_path.glob("*.html")
    assert "synthetic demo data" in html.read_text(encoding="utf-8")


def test_readme_says_where_to_go_next():
    assert "## Where to go next" in README and "(docs/README.md)" in README


def test_citations_name_gdelt_and_the_toolkit_version():
    assert "## Citing GDELT" in README and "Leetaru" in README
    cite = README[README.index("## Citing the toolkit"):]
    [bib] = re.findall(r"```bibtex\n(.*?)```", cite, re.S)
    assert re.search(r"^\s*version\s*=\s*\{(.+?)\},?$", bib, re.M).group(1) == toolkit.__version__
    assert f"version {toolkit.__version__}" in cite
