"""``toolkit events``: the events behind the cube written to .csv / .parquet, one-line errors."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit
from toolkit.cli import main


def test_csv_holds_the_filtered_events_most_reported_first(tmp_path, capsys):
    out = tmp_path / "f.csv"
    rc = main(["events", "--start", "2026-02-21", "--end", "2026-03-06", "--dyad", "RUS→KOR",
               "--root", "13", "--source", "demo", "--out", str(out)])
    assert rc == 0
    msg = capsys.readouterr().out
    assert "SYNTHETIC" in msg and str(out) in msg
    got = pd.read_csv(out, dtype={"root_code": str, "event_code": str})
    want = toolkit.load_events("2026-02-21", "2026-03-06", dyads="RUS→KOR", root_codes=13,
                               source="demo")
    assert f"wrote {len(want):,} events" in msg
    assert list(got.columns) == list(want.columns)
    assert got["GLOBALEVENTID"].tolist() == want["GLOBALEVENTID"].tolist()
    assert set(got["root_code"]) == {"13"} and set(got["source"] + got["target"]) == {"RUSKOR"}
    assert got["url"].str.startswith("synthetic://demo/").all()
    assert got["dateadded"].str.endswith("Z").all()


def test_parquet_with_two_dyads_and_a_limit(tmp_path):
    out = tmp_path / "f.parquet"
    rc = main(["events", "--start", "2026-02-21", "--end", "2026-02-21", "--dyad",
               "RUS-KOR,KOR-RUS", "--limit", "7", "--source", "demo", "--out", str(out)])
    assert rc == 0
    got = pd.read_parquet(out)
    want = toolkit.load_events("2026-02-21", "2026-02-21", dyads=["RUS→KOR", "KOR→RUS"],
                               source="demo", limit=7)
    assert len(got) == 7
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


@pytest.mark.parametrize(("argv", "status", "message"), [
    (["--dyad", "RUS→RUS"], 2, "same source and target"),
    (["--root", "99"], 2, "Unknown CAMEO root code"),
    (["--out", "f.xlsx"], 2, "--out must end in .csv or .parquet"),
    (["--fetch"], 2, "--fetch runs the BigQuery query"),
    (["--limit", "0"], 2, "--limit: must be >= 1"),
    (["--start", "2026-02-30"], 2, "2026-02-30"),
    (["--source", "local"], 2, "toolkit fetch events"),
    (["--source", "bigquery"], 2, "--fetch"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, argv, status, message):
    base = {"--start": "2026-02-21", "--end": "2026-02-21", "--source": "demo",
            "--out": str(tmp_path / "f.csv")}
    for k, v in zip(argv[::2], argv[1::2], strict=False):
        base[k] = v if k != "--out" else str(tmp_path / v)
    args = ["events"] + [x for kv in base.items() for x in kv] + [a for a in argv
                                                                   if a == "--fetch"]
    try:
        rc = main(args)
    except SystemExit as exc:  # argparse refuses a bad flag value
        rc = exc.code
    err = capsys.readouterr().err
    assert rc == status
    assert message in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_no_event_exits_1_and_writes_nothing(tmp_path, capsys):
    # the demo has no RUS→PRK "use unconventional mass violence" (root 20) on this day
    cube = toolkit.load_cube("2026-02-21", "2026-02-21", source="demo")
    assert not ((cube["source"] == "RUS") & (cube["target"] == "PRK")
                & (cube["root_code"] == "20")).any()
    out = tmp_path / "f.csv"
    rc = main(["events", "--start", "2026-02-21", "--end", "2026-02-21", "--dyad", "RUS→PRK",
               "--root", "20", "--source", "demo", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 1 and "0 events" in err and "nothing written" in err
    assert not out.exists()


def test_bigquery_fetch_runs_behind_the_dry_run_then_reads_the_cache(tmp_path, capsys,
                                                                     monkeypatch, data_dir):
    from test_bigquery_sql import END, START, events_frame, fixture_rows
    from test_load_events import FakeClient

    from toolkit.sources.bigquery import fetch as B

    clients = []
    monkeypatch.setattr(B, "make_client", lambda project=None, **kw: clients.append(
        FakeClient(events_frame(fixture_rows(), blank_as_null=True))) or clients[-1])
    out = tmp_path / "f.csv"
    argv = ["events", "--source", "bigquery", "--fetch", "--project", "p", "--start", START,
            "--end", END, "--dyad", "RUS→KOR", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "BigQuery dry run" in printed and "ceiling" in printed and "wrote" in printed
    assert [bool(c.dry_run) for _, c in clients[0].calls] == [True, False]
    got = pd.read_csv(out)
    assert len(got) > 0 and set(got["source"] + got["target"]) == {"RUSKOR"}
    # again: nothing is sent, the cache answers
    assert main(argv) == 0 and len(clients) == 1
    assert "already cached" in capsys.readouterr().out
    # without --fetch it only reads the cache
    out.unlink()
    assert main([a for a in argv if a not in ("--fetch",)]) == 0 and out.exists()


def test_bigquery_fetch_over_the_ceiling_is_refused_in_one_line(tmp_path, capsys, monkeypatch,
                                                                data_dir):
    from test_bigquery_sql import END, START, events_frame, fixture_rows
    from test_load_events import FakeClient

    from toolkit.sources.bigquery import fetch as B

    fake = FakeClient(events_frame(fixture_rows()), bytes_=3 * 10**9)
    monkeypatch.setattr(B, "make_client", lambda project=None, **kw: fake)
    out = tmp_path / "f.csv"
    rc = main(["events", "--source", "bigquery", "--fetch", "--project", "p", "--start", START,
               "--end", END, "--max-gb", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 1 and "Refusing to run" in err and err.count("\n") == 1
    assert all(c.dry_run for _, c in fake.calls) and not out.exists()


def test_docs_events_section_examples_run(tmp_path):
    """The section on the events (docs/sources.md): its Python and shell examples run as
    written."""
    import os
    import shlex
    import subprocess
    import sys

    from helpers import doc_blocks, shell_commands

    heading = "## The events behind every value"
    code = "\n".join(b.code for b in doc_blocks("sources.md", lang="python", heading=heading))
    assert "toolkit.load_events" in code and "toolkit.explain" in code
    env = {**os.environ, "TOOLKIT_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    shells = [cmd for b in doc_blocks("sources.md", lang="bash", heading=heading)
              for cmd in shell_commands(b.code)]
    assert shells
    for cmd in shells:
        r = subprocess.run([sys.executable, "-m", "toolkit", *shlex.split(cmd)[1:]],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
        assert r.returncode == 0, f"`{cmd}`: {r.stderr}"
    assert (tmp_path / "threats.csv").exists()
