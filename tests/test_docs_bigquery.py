"""The BigQuery examples of docs/sources.md run as written, against a fake BigQuery service
(no account, no network): the shell commands and the Python block, cost guard included."""

from __future__ import annotations

import json
import shlex

import pytest

pytest.importorskip("google.cloud.bigquery", reason="install the [bigquery] extra")

import test_bigquery_client as BQ  # noqa: E402

from toolkit.cli import main  # noqa: E402

from helpers import doc_blocks, shell_commands  # noqa: E402

HEADING = "## Google BigQuery: full history"

# the fake service of tests/test_bigquery_client.py (and its guard against real Google auth)
_no_real_google_auth = BQ._no_real_google_auth
fake_service = BQ.fake_service


def _blocks(lang: str):
    return [b for b in doc_blocks("sources.md", lang=lang, heading=HEADING)
            if b.marker and b.marker.startswith("tests/test_docs_bigquery.py")]


def test_bigquery_shell_examples_run(fake_service, data_dir, capsys):
    cmds = [c for b in _blocks("bash") for c in shell_commands(b.code)]
    assert any(c.startswith("toolkit fetch bigquery") for c in cmds)
    for cmd in cmds:
        assert main(shlex.split(cmd)[1:]) == 0, cmd
    out = capsys.readouterr().out
    assert "dry run" in out and "fake-job-" in out
    # every fetch was guarded: its jobs carried the ceiling given (or the 50 GB default)
    assert fake_service and all(c.maximum_bytes_billed <= 160 * 10**9
                                for client in fake_service for _, c in client.calls)
    # `--project` where given, else the Application Default Credentials' project
    assert {c.project for c in fake_service} == {"my-gcp-project", "adc-default-project"}


def test_bigquery_python_example_runs(fake_service, data_dir, capsys):
    [block] = _blocks("python")
    ns: dict = {}
    exec(block.code, ns)  # noqa: S102 - our own docs
    out = capsys.readouterr().out
    assert "_PARTITIONTIME >= TIMESTAMP('2024-01-01')" in out and "US$" in out
    assert ns["cube"].attrs["source"] == "bigquery" and len(ns["cube"]) > 0
    # the fetch is recorded where docs/sources.md says (*Cache and provenance*)
    record = json.loads((data_dir / "cubes" / "bigquery" / "fetches.json").read_text())
    assert "my-gcp-project" in json.dumps(record) and "2024-12-31" in json.dumps(record)
