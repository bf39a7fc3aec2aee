"""``toolkit fetch doc`` and ``toolkit doc queries`` (against a local server)."""

from __future__ import annotations

import pandas as pd
import pytest
from doc_server import FakeDocAPI

from toolkit.cli import main


def test_fetch_doc_then_rerun_is_free(tmp_path, data_dir, capsys):
    out = tmp_path / "doc.csv"
    with FakeDocAPI(min_interval=0.05) as api:
        argv = ["fetch", "doc", "--query", "rus-kor", "--query", "rus-prk@russian",
                "--mode", "timelinevol", "--mode", "timelinetone", "--start", "2024-01-01",
                "--end", "2024-06-30", "--base-url", api.url, "--interval", "0.05",
                "--data-dir", str(data_dir), "--out", str(out)]
        assert main(argv) == 0
        assert api.request_count == 8 and api.violations == 0
        assert main(argv) == 0
        assert api.request_count == 8
    text = capsys.readouterr().out
    assert "rus-kor timelinevol: 182 rows, 2 requests" in text
    assert "0 requests, 2 windows from the cache" in text
    df = pd.read_csv(out)
    assert len(df) == 4 * 182 and set(df["query"]) == {"rus-kor", "rus-prk@russian"}


def test_fetch_doc_bad_input_exit_codes(data_dir, capsys):
    with FakeDocAPI() as api:
        base = ["fetch", "doc", "--start", "2024-01-01", "--end", "2024-02-01",
                "--base-url", api.url, "--interval", "0"]
        assert main([*base, "--query", "rus-kro"]) == 2
        assert "Unknown DOC query name" in capsys.readouterr().err
        assert main([*base[:3], "2015-01-01", *base[4:], "--query", "rus-kor"]) == 2
        with pytest.raises(SystemExit) as e:
            main([*base, "--query", "rus-kor", "--mode", "timelinevolume"])
        assert e.value.code == 2
        api.script.append("text:The specified phrase is too short.")
        assert main([*base, "--query", '"DPRK" Russia']) == 2
        assert "phrase is too short" in capsys.readouterr().err
        api.script.extend(["500"] * 3)
        assert main([*base, "--query", "rus-prk", "--retries", "2", "--backoff", "0.01"]) == 1
        assert "failed after 3 attempts" in capsys.readouterr().err
        assert api.request_count == 4


def test_doc_queries_lists_registry(capsys):
    assert main(["doc", "queries"]) == 0
    out = capsys.readouterr().out
    assert "rus-kor" in out and "sourcecountry:RS" in out and "domain:nknews.org" in out
