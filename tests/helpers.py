"""Small test helpers shared by several test modules."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


def png_stats(path: Path) -> tuple[tuple[int, int], int]:
    """Return ((width, height), number of distinct colours) of a PNG file."""
    from PIL import Image

    with Image.open(path) as im:
        im = im.convert("RGB")
        colours = im.getcolors(maxcolors=1 << 24) or []
        return im.size, len(colours)


def assert_png_not_blank(path: Path, min_colours: int = 16) -> tuple[int, int]:
    """Assert that ``path`` is a PNG with real content (not one flat colour); returns size."""
    assert path.exists() and path.stat().st_size > 1000, f"{path} missing or tiny"
    size, n = png_stats(path)
    assert n >= min_colours, f"{path} looks blank: {n} distinct colours"
    return size


def fill_from_demo(data_dir: Path, start: str, end: str, where: str = "local"):
    """Write the demo cube and daily totals of ``start``..``end`` into the ``where`` cache
    (``"local"`` or ``"bigquery"``) of ``data_dir`` and mark that range covered, as a fetch
    would; returns (cube, totals)."""
    import pandas as pd

    from toolkit import store
    from toolkit.sources.demo import cube as demo

    cube = demo.read_cube(pd.Timestamp(start), pd.Timestamp(end))
    totals = demo.read_totals(pd.Timestamp(start), pd.Timestamp(end))
    store.write_cube(cube, totals, store=where, data_dir=data_dir)
    store.add_coverage(start, end, store=where, data_dir=data_dir)
    return cube, totals


def browser_found() -> bool:
    """True when kaleido has a Chrome/Chromium for static export (PNG/SVG/PDF)."""
    from toolkit.charts import find_browser

    return find_browser() is not None


#: Reason of every skip for want of a browser (CI installs Debian chromium, so it runs them).
NO_BROWSER = ("no Chrome/Chromium for kaleido on this machine (static PNG/SVG/PDF export needs "
              "one; `sudo apt-get install chromium`); CI installs chromium and runs this test")


def needs_browser(func):
    """Skip the test, with :data:`NO_BROWSER` as the reason, when no browser is found."""
    import pytest

    return pytest.mark.skipif(not browser_found(), reason=NO_BROWSER)(func)


# ------------------------------------------------------------------------------ the docs
# README.md is the front door, docs/*.md the manual. Tests read the page a text lives on with
# doc_text / doc_section, and the code examples with doc_blocks (tests/test_docs.py runs them).

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"

#: ``<!-- doc-test: tests/test_x.py ... -->`` on the line before a fenced block says which test
#: runs it (it needs a local server or a fake service); ``<!-- doc-test: not-run: reason -->``
#: says why it cannot run at all. Unmarked ```bash / ```python blocks run in tests/test_docs.py.
MARKER = re.compile(r"^<!-- doc-test: (.+?) -->$")


def doc_pages() -> list[Path]:
    """README.md, then every page under docs/ (sorted)."""
    return [REPO / "README.md", *sorted(DOCS.glob("*.md"))]


def doc_path(page: str) -> Path:
    """``"README.md"`` is the front door; any other name is a page under docs/."""
    return REPO / page if page == "README.md" else DOCS / page


def doc_text(page: str) -> str:
    """The text of a page: ``doc_text("README.md")``, ``doc_text("cube.md")``."""
    return doc_path(page).read_text(encoding="utf-8")


def _section_range(lines: list[str], page: str, heading: str) -> tuple[int, int]:
    """[first, last) line indices of the section under ``heading`` (code blocks are not
    headings): up to the next heading of the same or a higher level."""
    level = len(heading.split(" ")[0])
    first, fenced = None, False
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced or not re.match(r"#+ ", line):
            continue
        if first is not None and len(line.split(" ")[0]) <= level:
            return first, i
        if first is None and line.rstrip() == heading:
            first = i
    if first is None:
        raise AssertionError(f"{page} has no heading {heading!r}")
    return first, len(lines)


def doc_section(page: str, heading: str) -> str:
    """The section of ``page`` that starts at the line ``heading`` (e.g. ``"## Indices"``) and
    runs to the next heading of the same or a higher level."""
    lines = doc_text(page).splitlines(keepends=True)
    first, last = _section_range(lines, page, heading)
    return "".join(lines[first:last])


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: str      # "README.md" or the name of a page under docs/
    line: int      # 1-based line of the opening fence
    heading: str   # the heading the block sits under
    lang: str      # "bash", "python", ...
    code: str
    marker: str | None  # the doc-test marker's text, None when unmarked

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def doc_blocks(page: str | None = None, *, lang: str | None = None,
               heading: str | None = None) -> list[Block]:
    """Fenced code blocks of one page (or of every page), optionally of one language and of
    the section under ``heading``."""
    pages = [doc_path(page)] if page else doc_pages()
    found = []
    for path in pages:
        name = "README.md" if path.parent == REPO else path.name
        lines = path.read_text(encoding="utf-8").splitlines()
        current, i = "", 0
        while i < len(lines):
            line = lines[i]
            if re.match(r"#+ ", line):
                current = line
            m = re.match(r"^```(\w*)\s*$", line)
            if m:
                end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
                mk = MARKER.match(lines[i - 1]) if i else None
                found.append(Block(name, i + 1, current, m.group(1),
                                   "\n".join(lines[i + 1:end]) + "\n",
                                   mk.group(1) if mk else None))
                i = end
            i += 1
    if heading is not None:
        if page is None:
            raise ValueError("heading= needs page=")
        first, last = _section_range(doc_text(page).splitlines(), page, heading)
        found = [b for b in found if first < b.line <= last]
    return [b for b in found if lang is None or b.lang == lang]


def shell_commands(code: str) -> list[str]:
    """The commands of a ```bash block: continuation lines joined, comments and blanks dropped."""
    cmds = []
    for line in code.replace("\\\n", " ").splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith("#"):
            cmds.append(" ".join(line.split()))
    return cmds


# ------------------------------------------------------------------- faults in a fetch
# A crash between two cache writes and a Ctrl-C between two files, for the events and Mentions
# fault tests (tests/test_events_faults.py, tests/test_events_mentions.py, ...).

class Crash(BaseException):
    """Stands for a kill -9: nothing catches it, nothing is written on the way out."""


@contextlib.contextmanager
def crash_at(monkeypatch, k: int, calls: list):
    """Crash (raise :class:`Crash`) before the ``k``-th atomic cache write of the block.

    Every atomic cache write goes through ``toolkit.store.atomic_path``; the path of each
    one is appended to ``calls`` (``k=0``: never crash, only count the writes).
    """
    from toolkit import store

    real = store.atomic_path

    @contextlib.contextmanager
    def counting(path, **kw):
        calls.append(str(path))
        if len(calls) == k:
            raise Crash(f"crash before writing {path}")
        with real(path, **kw) as tmp:
            yield tmp

    monkeypatch.setattr(store, "atomic_path", counting)
    try:
        yield
    finally:
        monkeypatch.setattr(store, "atomic_path", real)


@contextlib.contextmanager
def ctrl_c_after(monkeypatch, n: int, only: str = ""):
    """Ctrl-C in a notebook: ``KeyboardInterrupt`` when ``fetch_events`` accounts for the
    ``n``-th fetched file whose name contains ``only`` (any file by default). Yields the
    names seen so far."""
    from toolkit.sources.events import fetch as E

    account, seen = E._account, []

    def interrupting(r, report):
        if only in r.entry.name:
            seen.append(r.entry.name)
            if len(seen) == n:
                raise KeyboardInterrupt
        account(r, report)

    monkeypatch.setattr(E, "_account", interrupting)
    try:
        yield seen
    finally:
        monkeypatch.setattr(E, "_account", account)


_KILLED_CHILD = """
import contextlib, json, os, signal, sys
from toolkit import store
from toolkit.sources.events import fetch_events
from toolkit.sources.events.download import RetryPolicy
k, only, kw = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
real, n = store.atomic_path, [0]

@contextlib.contextmanager
def killing(path, **kw):
    if only in str(path):
        n[0] += 1
        if n[0] == k:
            os.kill(os.getpid(), signal.SIGKILL)
    with real(path, **kw) as tmp:
        yield tmp

store.atomic_path = killing
fetch_events(**kw, workers=1, progress=False, policy=RetryPolicy(attempts=2, backoff=0.01))
"""


def killed_fetch(k: int, *, only: str = "", **fetch_kw) -> subprocess.CompletedProcess:
    """Run ``fetch_events(**fetch_kw)`` (one worker) in a child process that kills itself
    with SIGKILL before its ``k``-th atomic cache write whose path contains ``only``.

    ``fetch_kw`` must be JSON (start, end, base_url, data_dir as a str, ...). Returns the
    finished process (``returncode == -signal.SIGKILL`` when the kill happened).
    """
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", _KILLED_CHILD, str(k), only,
                           json.dumps(fetch_kw)], env=env, capture_output=True, text=True,
                          timeout=300)
