"""The manual (README.md and docs/*.md): every example runs, every page is reachable, every
relative link resolves.

A ```bash or ```python block runs here, offline, as written, unless the line before it is a
``<!-- doc-test: ... -->`` marker naming the test that runs it (against a local server or a fake
service) or saying why it cannot run (``not-run: reason``).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit import schema as S

from helpers import DOCS, REPO, doc_blocks, doc_pages, doc_text, shell_commands

#: Commands that take minutes; the test named runs the same command.
LONG_COMMANDS = {"toolkit report": ("tests/test_report_build.py", 'main(["report"')}

#: The blocks that no test can run, with why (a new one must be added here, deliberately).
NOT_RUN = {
    # installs the optional extra and logs in to Google: needs the internet and an account
    ("sources.md", "gcloud auth application-default login"),
}


def _page_name(path: Path) -> str:
    return "README.md" if path.parent == REPO else path.name


def _runnable(lang: str):
    return [b for b in doc_blocks() if b.lang == lang and b.marker is None]


def _python_pages() -> list[str]:
    return sorted({b.page for b in _runnable("python")})


def _shell_cases() -> list:
    return list(_iter_shell_cases())


def _iter_shell_cases():
    for b in _runnable("bash"):
        for cmd in shell_commands(b.code):
            if not cmd.startswith(tuple(LONG_COMMANDS)):
                yield pytest.param(cmd, id=f"{b.id} {cmd[:60]}")


def _env(tmp_path: Path) -> dict:
    return {**os.environ, "TOOLKIT_DATA_DIR": str(tmp_path / "cache")}


# ------------------------------------------------------------------------------ examples
def test_the_pages_hold_runnable_examples():
    assert len(_python_pages()) >= 5 and len(list(_shell_cases())) >= 3


@pytest.mark.parametrize("page", _python_pages())
def test_python_examples_run(page, tmp_path):
    """The page's unmarked Python blocks, in order, in one fresh interpreter."""
    code = "\n".join(b.code for b in _runnable("python") if b.page == page)
    # the researcher's own milestone file that the registry example merges in
    header = (REPO / "data" / "milestones.csv").read_text().splitlines()[0]
    (tmp_path / "my_milestones.csv").write_text(
        f"{header}\n2026-02-22,my-banner,Embassy banner,Russian embassy banner,statement,RUS;KOR,"
        "https://example.org/my-source,confirmed,\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=_env(tmp_path))
    assert proc.returncode == 0, f"{page}:\n{code}\n{proc.stderr[-3000:]}"


@pytest.mark.parametrize("cmd", _shell_cases())
def test_shell_examples_run(cmd, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "toolkit", *shlex.split(cmd)[1:]],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env=_env(tmp_path))
    assert proc.returncode == 0, f"`{cmd}` failed: {proc.stderr[-3000:]}"


def test_unmarked_shell_blocks_hold_only_toolkit_commands():
    for b in _runnable("bash"):
        for cmd in shell_commands(b.code):
            assert cmd.startswith("toolkit "), (
                f"{b.id}: `{cmd}` is not a toolkit command: make it one, or mark the block "
                "<!-- doc-test: tests/<the test that runs it>.py ... --> or "
                "<!-- doc-test: not-run: why -->")


def test_long_commands_are_run_by_the_test_named():
    for path, needle in LONG_COMMANDS.values():
        assert needle in (REPO / path).read_text()


def test_marked_blocks_name_the_test_that_runs_them():
    not_run = set()
    for b in doc_blocks():
        if b.marker is None:
            continue
        assert b.lang in ("bash", "python"), b.id
        if b.marker.startswith("not-run:"):
            assert len(b.marker) > len("not-run: ") + 10, f"{b.id}: say why it cannot run"
            known = [k for k in NOT_RUN if k[0] == b.page and k[1] in b.code]
            assert known, f"{b.id}: a block no test can run must be listed in NOT_RUN"
            not_run.update(known)
            continue
        path = b.marker.split()[0]
        assert re.fullmatch(r"tests/test_\w+\.py", path), f"{b.id}: {b.marker!r}"
        test = (REPO / path).read_text()
        assert f'"{b.page}"' in test, f"{b.id}: {path} does not read {b.page}"
    assert not_run == NOT_RUN


def test_blocks_counted(capsys):
    """Report (with -s) how many examples run where: the bookkeeping of the doc tests."""
    blocks = [b for b in doc_blocks() if b.lang in ("bash", "python")]
    here = [b for b in blocks if b.marker is None]
    elsewhere = [b for b in blocks if b.marker and not b.marker.startswith("not-run:")]
    assert len(here) + len(elsewhere) + len(NOT_RUN) == len(blocks)
    print(f"{len(blocks)} bash/python blocks: {len(here)} run here, {len(elsewhere)} by the "
          f"tests named in their markers, {len(NOT_RUN)} not run")


# ------------------------------------------------------------------------------ structure
def test_contents_page_and_readme_link_every_page():
    pages = [p.name for p in sorted(DOCS.glob("*.md")) if p.name != "README.md"]
    assert len(pages) >= 8
    contents = set(_links(DOCS / "README.md"))
    front = set(_links(REPO / "README.md"))
    for name in pages:
        assert name in contents, f"docs/README.md does not link {name}"
        assert f"docs/{name}" in front, f"README.md does not link docs/{name}"


def test_every_page_starts_with_a_summary_and_a_link_back_to_the_contents():
    for path in sorted(DOCS.glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# ") and lines[1] == "" and lines[2], path.name
        back = "(../README.md)" if path.name == "README.md" else "[← Contents](README.md)"
        assert back in lines[2], f"docs/{path.name}: line 3 lacks {back}"


def _strip_code(text: str) -> str:
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def _links(path: Path) -> list[str]:
    text = _strip_code(path.read_text(encoding="utf-8"))
    return re.findall(r"\]\(([^)\s]+)\)", text)


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.lstrip("#").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    seen: dict[str, int] = {}
    out = set()
    for h in re.findall(r"^#+ .+$", text, re.M):
        s = _slug(h)
        out.add(s if s not in seen else f"{s}-{seen[s]}")
        seen[s] = seen.get(s, 0) + 1
    return out


def test_slug_follows_github():
    assert _slug("### GDELT event files (Events 2.0 15-minute exports, Events 1.0 daily files)") \
        == "gdelt-event-files-events-20-15-minute-exports-events-10-daily-files"
    assert _slug("## Reliability: trusted days, exit codes, limits") == \
        "reliability-trusted-days-exit-codes-limits"


@pytest.mark.parametrize("path", doc_pages(), ids=_page_name)
def test_relative_links_resolve(path):
    for link in _links(path):
        if re.match(r"[a-z]+:", link):
            continue
        target, _, anchor = link.partition("#")
        dest = (path.parent / target).resolve() if target else path
        assert dest.exists(), f"{_page_name(path)}: link {link!r}: no file {dest}"
        if anchor:
            assert dest.suffix == ".md" and anchor in _anchors(dest), (
                f"{_page_name(path)}: link {link!r}: {dest.name} has no heading #{anchor}")


# ------------------------------------------------------------------------------ contents
@pytest.mark.parametrize("schema", [S.CUBE, S.DAILY_TOTALS], ids=lambda s: s.name)
def test_data_dictionary_lists_every_column(schema):
    cube_page = doc_text("cube.md")
    for col in schema.columns:
        assert re.search(rf"^\| `{col.name}` \| {col.kind} ", cube_page, re.M), (
            f"docs/cube.md data dictionary lacks {schema.name} column {col.name}")
