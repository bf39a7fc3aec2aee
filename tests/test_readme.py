"""The README is the front door: its commands run, and its data dictionary matches the code."""

import re
import shlex
import subprocess
import sys

import pytest

from toolkit import schema as S

from conftest import REPO

README = (REPO / "README.md").read_text()


def test_quick_start_comes_first_with_the_two_commands():
    quick = README.index("## Quick start")
    assert quick < README.index("## Data dictionary")
    block = README[quick:].split("```")[1]
    assert re.search(r"^make report\b", block, re.M) and re.search(r"^make test\b", block, re.M)
    assert block.index("make report") < block.index("make test")


def test_readme_says_demo_data_is_synthetic():
    assert "## The demo data is synthetic" in README
    assert "not GDELT data" in README


@pytest.mark.parametrize("schema", [S.CUBE, S.DAILY_TOTALS], ids=lambda s: s.name)
def test_data_dictionary_lists_every_column(schema):
    for col in schema.columns:
        assert re.search(rf"^\| `{col.name}` \| {col.kind} ", README, re.M), (
            f"README data dictionary lacks {schema.name} column {col.name}")


def _cli_examples() -> list[str]:
    section = README[README.index("## Command line"):]
    section = section[: section.index("\n## ", 1)]
    cmds = []
    for block in re.findall(r"```bash\n(.*?)```", section, re.S):
        for line in block.splitlines():
            line = line.split("#")[0].strip()
            if line.startswith("toolkit ") and " report" not in line:
                cmds.append(line)
    return cmds


def test_cli_examples_exist():
    assert len(_cli_examples()) >= 2


@pytest.mark.parametrize("cmd", _cli_examples())
def test_readme_cli_example_runs(cmd, tmp_path):
    args = shlex.split(cmd)[1:]
    r = subprocess.run([sys.executable, "-m", "toolkit", *args], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"`{cmd}` failed: {r.stderr}"


#: README sections whose Python examples run offline on the demo as written (the fetching,
#: DOC and BigQuery examples run in test_events_fetch, test_doc_readme, test_bigquery_* and
#: test_missing_policy against local servers and caches).
_DEMO_SECTIONS = ("## Loading data in Python", "## Indices", "### The milestone registry",
                  "## Statistics")


def _python_blocks(heading: str) -> list[str]:
    start = README.index(heading)
    level = heading.split(" ")[0]
    nxt = re.search(rf"^#{{1,{len(level)}}} ", README[start + len(heading):], re.M)
    section = README[start: start + len(heading) + (nxt.start() if nxt else len(README))]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.mark.parametrize("heading", _DEMO_SECTIONS)
def test_readme_python_examples_run(heading, tmp_path):
    blocks = _python_blocks(heading)
    assert blocks, f"README section {heading!r} has no Python example"
    code = "\n".join(blocks)
    # the researcher's own milestone file that the registry example merges in
    header = (REPO / "data" / "milestones.csv").read_text().splitlines()[0]
    (tmp_path / "my_milestones.csv").write_text(
        f"{header}\n2026-02-22,my-banner,Embassy banner,Russian embassy banner,statement,RUS;KOR,"
        "https://example.org/my-source,confirmed,\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env={**__import__("os").environ,
                                                       "TOOLKIT_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 0, f"{heading}:\n{code}\n{proc.stderr[-3000:]}"
