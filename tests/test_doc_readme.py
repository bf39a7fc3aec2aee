"""The DOC section of docs/sources.md: its Python and shell examples run (against a local
server)."""

from __future__ import annotations

import shlex

import pandas as pd
from doc_server import FakeDocAPI

from toolkit.cli import main
from toolkit.sources.doc import query as doc

from helpers import doc_blocks, doc_section

HEADING = "## DOC 2.0 API: coverage volume and tone"


def _section() -> str:
    return doc_section("sources.md", HEADING)


def test_readme_doc_examples_run(monkeypatch, data_dir, capsys):
    py = [b.code for b in doc_blocks("sources.md", lang="python", heading=HEADING)]
    sh = [b.code for b in doc_blocks("sources.md", lang="bash", heading=HEADING)]
    assert py and sh
    monkeypatch.setattr(doc, "_now", lambda: pd.Timestamp("2026-11-26 12:00"))
    with FakeDocAPI(min_interval=0.05) as api:
        monkeypatch.setenv("GDELT_DOC_URL", api.url)
        monkeypatch.setenv("TOOLKIT_DOC_INTERVAL", "0.05")
        ns: dict = {}
        exec(py[0], ns)  # noqa: S102 - our own docs
        assert ns["df"]["date"].min() == pd.Timestamp("2025-01-01")
        assert ns["demo"].attrs["synthetic"] is True
        assert ns["arts"]["url"].is_unique
        for block in sh:
            for cmd in block.replace("\\\n", " ").splitlines():
                cmd = cmd.split("#")[0].strip()
                if cmd.startswith("toolkit "):
                    assert main(shlex.split(cmd)[1:]) == 0, cmd
        assert api.violations == 0 and api.request_count > 0
    assert "rus-prk timelinetone: 1,096 rows" in capsys.readouterr().out


def test_docs_document_the_rules():
    sec = _section()
    for needle in ("72 hours", "2017-01-01", "3 months", "SYNTHETIC", "FIPS",
                   "DocQueryError", "Retry-After", "TOOLKIT_DOC_QUERIES",
                   "Only valid answers are cached", "DocBadAnswer", "Duplicate dates",
                   "**first** value", "TOOLKIT_DOC_MAX_BODY_MB", "16 MiB", "502 Bad Gateway"):
        assert needle in sec, needle
