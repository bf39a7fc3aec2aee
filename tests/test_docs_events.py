"""The GDELT event files examples of docs/sources.md run as written, against a local GDELT
mirror (GDELT_BASE_URL on 127.0.0.1): every file of June 2024 (GDELT 2.0, 96 a day) and of
2016–2019 (GDELT 1.0, one a day), a few events among RUS, KOR, PRK, USA and UKR in each."""

from __future__ import annotations

import shlex

import pandas as pd
import pytest
from gdelt_mirror import Mirror, MirrorServer, make_row

from toolkit.cli import main

from helpers import doc_blocks, shell_commands

HEADING = "## GDELT event files (Events 2.0 15-minute exports, Events 1.0 daily files)"
PAIRS = [("RUS", "KOR"), ("PRK", "RUS"), ("USA", "KOR"), ("UKR", "RUS")]


def _rows(gid: int, day: pd.Timestamp, added: int, v1: bool) -> list[list[str]]:
    sqldate = int(f"{day:%Y%m%d}")
    return [make_row(gid * 10 + i, sqldate, added, a1, a2, v1=v1)
            for i, (a1, a2) in enumerate(PAIRS)]


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    m = Mirror(tmp_path_factory.mktemp("gdelt"))
    gid = 1
    for slot in pd.date_range("2024-06-01", "2024-06-30 23:45", freq="15min"):
        m.add_v2(f"{slot:%Y%m%d%H%M%S}", _rows(gid, slot, int(f"{slot:%Y%m%d%H%M%S}"), False))
        gid += 1
    for day in pd.date_range("2016-01-01", "2019-12-31"):
        m.add_v1(f"{day:%Y%m%d}", _rows(gid, day, int(f"{day:%Y%m%d}"), True))
        gid += 1
    m.write_index()
    with MirrorServer(m) as srv:  # 4,341 requests: the mirror turns Nagle's algorithm off
        yield srv


def _blocks(lang: str):
    return [b for b in doc_blocks("sources.md", lang=lang, heading=HEADING)
            if b.marker and b.marker.startswith("tests/test_docs_events.py")]


def test_event_files_examples_run(mirror, data_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GDELT_BASE_URL", mirror.url)
    monkeypatch.chdir(tmp_path)
    [bash] = _blocks("bash")
    cmds = shell_commands(bash.code)
    assert len(cmds) == 4
    for cmd in cmds:
        assert main(shlex.split(cmd)[1:]) == 0, f"{cmd}\n{capsys.readouterr().err[-2000:]}"
    june = pd.read_parquet(tmp_path / "june.parquet")
    assert june["date"].min() == pd.Timestamp("2024-06-01")
    assert june["date"].max() == pd.Timestamp("2024-06-30")
    # --actors added USA and UKR to the cache's actor set: re-filtered from the kept zips
    assert {"USA", "UKR"} <= set(june["source"])
    assert (tmp_path / "data" / "cache-v1").is_dir()  # GDELT 1.0 went to its own cache

    [py] = _blocks("python")
    ns: dict = {}
    capsys.readouterr()
    exec(py.code, ns)  # noqa: S102 - our own docs
    assert "2880 already ingested" in capsys.readouterr().out  # the rerun downloads nothing
    assert ns["report"].downloaded == 0 and ns["cube"].attrs["source"] == "local"
