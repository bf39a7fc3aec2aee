"""Faults after which the cache must hold correct data or a clear failure (issue 13).

Each test runs its own GDELT mirror on 127.0.0.1 (:mod:`gdelt_mirror`) and checks what a user
sees: the exit status and one-line message, the coverage, and the cube against the one
computed independently from the served rows (:func:`test_events_fetch.expected`).
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from gdelt_mirror import V2_NAMES, Mirror, MirrorServer, make_row
from test_events_fetch import FAST, assert_same, build_mirror, expected, local_cube

import toolkit
from toolkit import store
from toolkit.cli import main as cli_main
from toolkit.sources.events.download import RetryPolicy
from toolkit.sources.events.fetch import EventsFetchError, fetch_events

from helpers import Crash, crash_at, killed_fetch

REPO = Path(__file__).resolve().parents[1]
RANGE = ("2019-10-24", "2019-10-25")


@pytest.fixture
def mirror(tmp_path):
    m, names = build_mirror(tmp_path / "mirror")
    with MirrorServer(m) as srv:
        yield m, names, srv


def _fetch(srv, data_dir, **kw):
    kw.setdefault("policy", FAST)
    return fetch_events(*RANGE, base_url=srv.url, data_dir=data_dir, progress=False, **kw)


def _cli(capsys, *args):
    code = cli_main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def _assert_full(m, names, data_dir):
    cube, totals = expected(m, names, *RANGE)
    assert_same(local_cube(data_dir, *RANGE), cube)
    assert_same(toolkit.load_daily_totals(*RANGE, source="local", data_dir=data_dir), totals)


# -- 1. a file list that does not cover the range ---------------------------------------------

def test_a_200_page_that_is_no_file_list_marks_nothing_complete(mirror, data_dir, capsys):
    m, names, srv = mirror
    srv.fault("/gdeltv2/masterfilelist.txt", ("body", b"<html><body>Welcome</body></html>"))
    code, out, err = _cli(capsys, "fetch", "events", "--start", RANGE[0], "--end", RANGE[1],
                          "--base-url", srv.url, "--data-dir", str(data_dir), "--no-progress")
    line = _one_line(err)
    assert code == 1 and "does not cover 2019-10-24..2019-10-25" in line
    assert "names no .export.CSV.zip file at all" in line
    assert store.coverage(data_dir=data_dir) == []
    assert toolkit.load_cube(*RANGE, source="auto", data_dir=data_dir).attrs["synthetic"]
    # the same server, now answering with its real list: the page was not kept as the list
    rep = _fetch(srv, data_dir)
    assert rep.ok and rep.downloaded == len(names)
    _assert_full(m, names, data_dir)


def test_a_list_that_ends_before_the_range_ends_covers_only_its_days(tmp_path, data_dir):
    m, names = build_mirror(tmp_path / "mirror")
    for n in [n for n in m.v2 if n[:8] == "20191026"
              or (n[:8] == "20191025" and n[8:14] != "000000")]:
        # the list stops at 2019-10-25 00:00: it covers the 24th, not the 25th
        del m.v2[n]
    m.write_index()
    with MirrorServer(m) as srv:
        with pytest.warns(UserWarning, match="does not cover 1 day"):
            rep = _fetch(srv, data_dir)
        assert not rep.ok and rep.unlisted_days == ["2019-10-25"]
        assert "NOT COVERED by the file list" in rep.summary()
        assert store.coverage(data_dir=data_dir) == [{"start": "2019-10-24",
                                                       "end": "2019-10-24"}]
        listed = [n for n in names if n in m.v2]  # the 25th's 00:00 file was fetched too
        assert len(listed) == 4
        cube, _ = expected(m, listed, "2019-10-24", "2019-10-24")
        assert_same(local_cube(data_dir, "2019-10-24", "2019-10-24"), cube)


def test_the_cached_file_list_is_tied_to_its_server(tmp_path, data_dir):
    """A list cached from one --base-url is not reused for another."""
    bad = Mirror(tmp_path / "other")
    bad.add_v2("20191020000000", [make_row(1, 20191020, 20191020000000, "RUS", "KOR")])
    bad.write_index()  # a real list, but of other days
    m, names = build_mirror(tmp_path / "mirror")
    with MirrorServer(bad) as other, MirrorServer(m) as srv:
        with pytest.raises(EventsFetchError, match="does not cover"):
            fetch_events(*RANGE, base_url=other.url, data_dir=data_dir, progress=False,
                         policy=FAST)
        rep = _fetch(srv, data_dir)
        assert "/gdeltv2/masterfilelist.txt" in srv.requests
        assert rep.ok and rep.files_selected == len(names) and rep.downloaded == len(names)
        _assert_full(m, names, data_dir)
        src = data_dir / "gdelt/v2/index.source"
        assert src.read_text() == srv.url


# -- 2. no crash point leaves coverage ahead of data -------------------------------------------

def _check_covered_days_hold_their_data(m, names, data_dir):
    """The invariant: every covered day has exactly its rows and totals in the cube."""
    days = [d for r in store.coverage(data_dir=data_dir)
            for d in toolkit.store.pd.date_range(r["start"], r["end"], freq="D")]
    cube, totals = expected(m, names, *RANGE)
    for d in days:
        got = store.read_cube(data_dir=data_dir, start=d, end=d)
        assert_same(got, cube[cube.date == d])
        got_t = store.read_totals(data_dir=data_dir, start=d, end=d)
        assert_same(got_t, totals[totals.date == d])


def test_a_crash_before_any_cache_write_never_leaves_coverage_ahead_of_data(
        mirror, data_dir, monkeypatch):
    m, names, srv = mirror
    calls: list = []
    with crash_at(monkeypatch, 0, calls):  # count the writes of a fault-free run
        _fetch(srv, data_dir, workers=1)
    n = len(calls)
    assert n >= 6 and "coverage.json" in [Path(p).name for p in calls]
    for k in range(1, n + 1):
        ddir = data_dir / f"crash{k}"
        with crash_at(monkeypatch, k, []), pytest.raises(Crash):
            _fetch(srv, ddir, workers=1)
        _check_covered_days_hold_their_data(m, names, ddir)
        rep = _fetch(srv, ddir)
        assert rep.ok, (k, rep.summary())
        assert store.coverage(data_dir=ddir) == [{"start": RANGE[0], "end": RANGE[1]}]
        _assert_full(m, names, ddir)


def test_what_the_coverage_vouches_for_is_on_disk_before_the_coverage(mirror, data_dir,
                                                                        monkeypatch):
    """For a power cut, not only a killed process: every stored file and cube month is
    fsync'ed before coverage.json is renamed into place."""
    m, names, srv = mirror
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", str(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(store.os, "fsync", fsync)
    monkeypatch.setattr(store.os, "replace", replace)
    _fetch(srv, data_dir, workers=1)
    monkeypatch.setattr(store.os, "fsync", real_fsync)
    monkeypatch.setattr(store.os, "replace", real_replace)
    cov = next(i for i, (k, p) in enumerate(events)
               if k == "replace" and p.endswith("coverage.json"))
    synced = {p for k, p in events[:cov] if k == "fsync"}
    vouched = [p for p in map(str, data_dir.rglob("*.parquet"))] + [
        str(p) for p in data_dir.rglob("manifest/*.json")]
    assert len(vouched) >= 5 and set(vouched) <= synced
    assert str(data_dir / "cubes/local") in synced  # the renames too (the directory)
    assert any(k == "fsync" and p.endswith("coverage.json") for k, p in events[cov:])


@pytest.mark.parametrize("k", [3, 5, 7])
def test_kill_9_between_cache_writes_then_rerun_gives_the_fault_free_cube(mirror, data_dir, k):
    m, names, srv = mirror
    r = killed_fetch(k, start=RANGE[0], end=RANGE[1], base_url=srv.url,
                     data_dir=str(data_dir))
    assert r.returncode == -signal.SIGKILL, r.stderr
    _check_covered_days_hold_their_data(m, names, data_dir)
    rep = _fetch(srv, data_dir)
    assert rep.ok
    _assert_full(m, names, data_dir)


def test_coverage_that_disagrees_with_what_is_stored_is_repaired(mirror, data_dir):
    """Stored totals lost (or a cube month deleted) under a covered day: the next run
    notices, re-ingests or rebuilds, and the cube is the fault-free one again."""
    m, names, srv = mirror
    _fetch(srv, data_dir)
    (data_dir / "gdelt/v2/totals/2019-10.parquet").unlink()
    (data_dir / "cubes/local/cube-2019-10.parquet").unlink()
    srv.requests.clear()
    rep = _fetch(srv, data_dir)
    assert rep.ok and rep.present == len(names)  # re-parsed from the kept zips
    _assert_full(m, names, data_dir)
    # a covered month's cube lost, and a day of the range only: rebuilt from stored rows
    (data_dir / "cubes/local/totals-2019-10.parquet").unlink()
    srv.requests.clear()
    rep = fetch_events("2019-10-25", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                       progress=False, policy=FAST)
    assert rep.ok and srv.data_requests() == []
    _assert_full(m, names, data_dir)


@pytest.mark.parametrize("lost", ["cube", "totals"])
def test_a_lost_cube_month_is_rebuilt_by_a_run_of_another_month_without_downloads(
        tmp_path, data_dir, lost):
    """October's cube (or totals) file lost while its manifests say every file is ingested:
    a run for November alone rebuilds October from the stored rows, downloading nothing of
    October."""
    m, names = build_mirror(tmp_path / "mirror")
    nov = [m.add_v2(st, [make_row(5000 + k, 20191101, int(st), "RUS", "KOR")])
           for k, st in enumerate(("20191101000000", "20191101120000", "20191102000000"))]
    m.write_index()
    with MirrorServer(m) as srv:
        assert _fetch(srv, data_dir).ok
        cube_before = local_cube(data_dir, *RANGE)
        totals_before = toolkit.load_daily_totals(*RANGE, source="local", data_dir=data_dir)
        (data_dir / f"cubes/local/{lost}-2019-10.parquet").unlink()
        srv.requests.clear()
        rep = fetch_events("2019-11-01", "2019-11-01", base_url=srv.url, data_dir=data_dir,
                           progress=False, policy=FAST)
        assert rep.ok and "2019-10" in rep.months_written
        # only November's files were downloaded (the list of the first run was reused)
        assert sorted(srv.data_requests()) == sorted(f"/gdeltv2/{n}" for n in nov[:2])
        assert (data_dir / f"cubes/local/{lost}-2019-10.parquet").exists()
        assert_same(local_cube(data_dir, *RANGE), cube_before)
        assert_same(toolkit.load_daily_totals(*RANGE, source="local", data_dir=data_dir),
                    totals_before)
        _assert_full(m, names, data_dir)


def test_covered_days_whose_manifest_is_lost_are_withdrawn_then_refetched(tmp_path, data_dir):
    """A month's manifest deleted by hand: the next run (of any range) stops trusting that
    month's days; fetching them again restores them."""
    m = Mirror(tmp_path / "mirror")
    for day, gid in (("20160729", 1), ("20160801", 2)):
        m.add_v1(day, [make_row(gid, int(day), int(day), "RUS", "KOR", v1=True)])
    with MirrorServer(m) as srv:
        kw = {"product": "v1", "base_url": srv.url, "data_dir": data_dir, "progress": False,
              "policy": FAST}
        fetch_events("2016-07-29", "2016-08-01", **kw)
        assert store.covers("2016-07-29", "2016-08-01", data_dir=data_dir)
        (data_dir / "gdelt/v1/manifest/2016-07.json").unlink()
        fetch_events("2016-08-01", "2016-08-01", **kw)
        assert store.coverage(data_dir=data_dir) == [{"start": "2016-08-01",
                                                       "end": "2016-08-01"}]
        fetch_events("2016-07-29", "2016-07-31", **kw)
        assert store.covers("2016-07-29", "2016-08-01", data_dir=data_dir)
        cube, totals = expected(m, None, "2016-07-29", "2016-08-01")
        assert_same(local_cube(data_dir, "2016-07-29", "2016-08-01"), cube)


# -- 3. numbers that overflow or are not finite ------------------------------------------------

def test_overflowing_and_non_finite_numbers_make_their_line_malformed(tmp_path, data_dir):
    m = Mirror(tmp_path / "mirror")
    rows = [make_row(i, 20191024, 20191024000000, "RUS", "KOR", articles=2) for i in range(1, 6)]
    rows[1][V2_NAMES.index("NumMentions")] = "99999999999999999999999"
    rows[2][V2_NAMES.index("GoldsteinScale")] = "nan"
    rows[3][V2_NAMES.index("AvgTone")] = "inf"
    name = m.add_v2("20191024000000", rows)
    m.add_v2("20191025000000", [make_row(9, 20191025, 20191025000000, "KOR", "PRK")])
    m.write_index()
    with MirrorServer(m) as srv:
        rep = fetch_events("2019-10-24", "2019-10-24", base_url=srv.url, data_dir=data_dir,
                           progress=False, policy=FAST)
        assert rep.ok and rep.rows_malformed == 3
        bad = rep.malformed_by_file[name]
        assert bad["reasons"] == {"number out of range or not finite in a kept row": 3}
        assert [ln for ln, _ in bad["examples"]] == [2, 3, 4]
        cube = local_cube(data_dir, "2019-10-24", "2019-10-24")
        assert cube.events.sum() == 2 and cube.notna().all().all()
        import numpy as np
        assert np.isfinite(cube.select_dtypes("number")).all().all()
        # the malformed lines are out of the totals too, like any malformed line
        tot = toolkit.load_daily_totals("2019-10-24", "2019-10-24", source="local",
                                        data_dir=data_dir)
        assert tot.total_events.tolist() == [2] and tot.total_articles.tolist() == [4]


# -- 4. deadlines and Ctrl-C -------------------------------------------------------------------

def test_a_trickling_server_fails_the_file_within_its_deadline(mirror, data_dir, capsys):
    m, names, srv = mirror
    srv.fault(names[0], ("trickle", (64, 0.5)))
    code, out, err = _cli(capsys, "fetch", "events", "--start", RANGE[0], "--end", RANGE[1],
                          "--base-url", srv.url, "--data-dir", str(data_dir), "--no-progress",
                          "--timeout", "5", "--deadline", "2", "--attempts", "1")
    assert code == 1 and f"FAILED {names[0]}" in out and "overall deadline of 2 s" in out
    assert "1 failed" in out
    assert "1 file(s) failed" in _one_line(err)
    assert srv.sent[f"/gdeltv2/{names[0]}"] < 64 * 20  # cut off, not read to the end
    assert not store.covers("2019-10-24", "2019-10-24", data_dir=data_dir)
    assert store.covers("2019-10-25", "2019-10-25", data_dir=data_dir)


def test_the_derived_deadline_follows_the_listed_size(mirror, data_dir):
    m, names, srv = mirror
    srv.fault(names[0], ("trickle", (64, 0.5)))
    size = m.v2[names[0]][0]
    policy = RetryPolicy(attempts=1, timeout=5, deadline_floor=1.0, min_rate=size / 1.5)
    with pytest.warns(UserWarning, match="1 GDELT file"):
        rep = fetch_events("2019-10-24", "2019-10-24", base_url=srv.url, data_dir=data_dir,
                           progress=False, policy=policy)
    assert "overall deadline of 2 s exceeded" in rep.failed[names[0]]  # 1.5 s, rounded


def test_a_trickling_answer_to_the_file_list_extension_is_cut_off(tmp_path, data_dir):
    """The Range request that extends a stale cached list has the same deadline; past it,
    the whole list is fetched again and the run goes on."""
    m, names = build_mirror(tmp_path / "mirror")
    with MirrorServer(m) as srv:
        _fetch(srv, data_dir)
        os.utime(data_dir / "gdelt/v2/index.txt", (1e9, 1e9))  # stale
        srv.fault("/gdeltv2/masterfilelist.txt", ("trickle", (16, 0.5)))
        rep = _fetch(srv, data_dir, policy=RetryPolicy(attempts=2, backoff=0.01, timeout=5,
                                                       deadline=1.5))
        assert rep.ok and rep.already_ingested == len(names)
        size = (m.root / "gdeltv2/masterfilelist.txt").stat().st_size
        assert srv.sent["/gdeltv2/masterfilelist.txt"] < size / 4
        assert srv.requests.count("/gdeltv2/masterfilelist.txt") == 3  # initial, cut, full


def test_ctrl_c_stops_a_fetch_within_seconds_and_keeps_what_was_verified(mirror, data_dir):
    m, names, srv = mirror
    day2 = [n for n in names if n.startswith("20191025")]
    for n in day2:
        srv.fault(n, ("trickle", (64, 2.0)))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "fetch", "events", "--start",
                             RANGE[0], "--end", RANGE[1], "--base-url", srv.url, "--data-dir",
                             str(data_dir), "--no-progress", "--workers", "1", "--timeout", "5"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            # a terminal's foreground process: SIGINT not inherited as ignored
                            # (a script's background job, e.g. `make test &`, ignores it)
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while not srv.sent.get(f"/gdeltv2/{day2[0]}") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        # a hang guard, not a performance check: before the fix the process took ~11 minutes;
        # on a loaded 2-core machine the store of the verified day can take several seconds
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "interrupted" in _one_line(err)
    man = json.loads((data_dir / "gdelt/v2/manifest/2019-10.json").read_text())["files"]
    day1 = [n for n in names if n.startswith("20191024")]
    assert all(man[n]["status"] == "ingested" for n in day1)
    srv.faults.clear()
    srv.requests.clear()
    rep = _fetch(srv, data_dir)
    assert rep.ok and rep.already_ingested == len(day1)
    _assert_full(m, names, data_dir)


# -- 5. memory ---------------------------------------------------------------------------------

def _bomb(name: str, size: int) -> bytes:
    """A zip whose one member inflates to ``size`` zero bytes (~1/1000 of that zipped)."""
    buf = io.BytesIO()
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open(name, "w") as w:
            for _ in range(size // len(chunk)):
                w.write(chunk)
    return buf.getvalue()


_RSS_CHILD = """
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(r.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # KiB on Linux
print(r.stdout.replace("\\n", " | "))
"""


@pytest.mark.slow
def test_a_member_inflating_to_1_gib_is_rejected_within_bounded_memory(tmp_path, data_dir):
    m, names = build_mirror(tmp_path / "mirror")
    bomb = m.add_v2_zip("20191024060000", _bomb("20191024060000.export.CSV", 1 << 30))
    m.write_index()
    with MirrorServer(m) as srv:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        cmd = [sys.executable, "-m", "toolkit", "fetch", "events", "--start", RANGE[0],
               "--end", RANGE[1], "--base-url", srv.url, "--data-dir", str(data_dir),
               "--no-progress", "--workers", "4", "--attempts", "1"]
        r = subprocess.run([sys.executable, "-c", _RSS_CHILD, *cmd], env=env,
                           capture_output=True, text=True, timeout=600)
        code, rss_kib, out = r.stdout.split("\n", 2)
        print(f"peak RSS of the fetch: {int(rss_kib) / 1024:.0f} MiB")
        assert int(code) == 1 and f"FAILED {bomb}" in out and "inflates to 1,073,741,824" in out
        assert int(rss_kib) * 1024 < 600e6
        # the other files are stored, and their days... day 1 is incomplete
        assert store.covers("2019-10-25", "2019-10-25", data_dir=data_dir)
        assert not store.covers("2019-10-24", "2019-10-24", data_dir=data_dir)


def test_a_body_longer_than_the_listed_size_is_cut_off(mirror, data_dir):
    m, names, srv = mirror
    srv.fault(names[0], *[("oversize", 64 << 20)] * 2)
    policy = RetryPolicy(attempts=2, backoff=0.01, timeout=5)
    with pytest.warns(UserWarning, match="1 GDELT file"):
        rep = fetch_events(*RANGE, base_url=srv.url, data_dir=data_dir, progress=False,
                           policy=policy)
    size = m.v2[names[0]][0]
    assert f"body longer than the {size:,} bytes listed; cut off" in rep.failed[names[0]]
    assert srv.sent[f"/gdeltv2/{names[0]}"] < 2 * (16 << 20)  # far from 2 x 64 MiB


def test_a_zip_with_two_members_is_rejected(tmp_path, data_dir):
    m, names = build_mirror(tmp_path / "mirror")
    data = m.texts[names[0]]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(names[0][:-4], data)
        zf.writestr("extra.CSV", data)
    m.add_v2_zip(names[0][:14], buf.getvalue())
    m.write_index()
    with MirrorServer(m) as srv:
        with pytest.warns(UserWarning, match="1 GDELT file"):
            rep = _fetch(srv, data_dir)
        assert list(rep.failed) == [names[0]] and "holds 2 members" in rep.failed[names[0]]
        assert not store.covers("2019-10-24", "2019-10-24", data_dir=data_dir)


# -- 6. exit codes and one-line messages ------------------------------------------------------

@pytest.mark.parametrize("target", ["gdelt/v2/manifest/2019-10.json", "gdelt/state.json",
                                    "cubes/local/coverage.json",
                                    "gdelt/v2/totals/2019-10.parquet"])
def test_a_damaged_cache_file_is_exit_1_naming_it(mirror, data_dir, capsys, target):
    m, names, srv = mirror
    _fetch(srv, data_dir)
    (data_dir / target).write_text("")
    code, out, err = _cli(capsys, "fetch", "events", "--start", RANGE[0], "--end", RANGE[1],
                          "--base-url", srv.url, "--data-dir", str(data_dir), "--no-progress")
    line = _one_line(err)
    assert code == 1 and f"{data_dir / target} is damaged" in line
    assert "delete it" in line and "rerun the fetch" in line
    # the repair the message gives works: delete, rerun, the fault-free cube
    (data_dir / target).unlink()
    if target.endswith(".parquet"):
        (data_dir / "gdelt/v2/manifest/2019-10.json").unlink()
    code, out, err = _cli(capsys, "fetch", "events", "--start", RANGE[0], "--end", RANGE[1],
                          "--base-url", srv.url, "--data-dir", str(data_dir), "--no-progress")
    assert code == 0, err
    _assert_full(m, names, data_dir)


def test_a_damaged_coverage_file_is_exit_1_for_toolkit_cube(mirror, data_dir, capsys, tmp_path):
    m, names, srv = mirror
    _fetch(srv, data_dir)
    (data_dir / "cubes/local/coverage.json").write_text("{not json")
    code, out, err = _cli(capsys, "cube", "--source", "local", "--data-dir", str(data_dir),
                          "--out", str(tmp_path / "x.csv"))
    assert code == 1 and "coverage.json is damaged" in _one_line(err)
    (data_dir / "cubes/local/coverage.json").unlink()
    _fetch(srv, data_dir)
    (data_dir / "cubes/local/cube-2019-10.parquet").write_bytes(b"PAR1 not really")
    code, out, err = _cli(capsys, "cube", "--source", "local", "--data-dir", str(data_dir),
                          "--out", str(tmp_path / "x.csv"))
    assert code == 1 and "cube-2019-10.parquet is damaged" in _one_line(err)


@pytest.mark.parametrize("args, flag", [
    (["fetch", "events", "--attempts", "-1"], "--attempts"),
    (["fetch", "events", "--workers", "0"], "--workers"),
    (["fetch", "events", "--timeout", "nan"], "--timeout"),
    (["fetch", "events", "--deadline", "inf"], "--deadline"),
    (["fetch", "doc", "--query", "x", "--retries", "-1"], "--retries"),
    (["fetch", "doc", "--query", "x", "--timeout", "nan"], "--timeout"),
    (["fetch", "bigquery", "--max-gb", "inf"], "--max-gb"),
    (["bigquery", "estimate", "--max-gb", "-1"], "--max-gb"),
    (["report", "--jobs", "0"], "--jobs"),
])
def test_bad_flags_are_exit_2_naming_the_flag(capsys, args, flag):
    if args[0] in ("fetch", "bigquery") and args[1] != "events" or args[:2] == ["fetch",
                                                                                 "events"]:
        args = args + ["--start", "2019-10-24", "--end", "2019-10-25"]
    with pytest.raises(SystemExit) as exc:
        cli_main(args)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and f"argument {flag}:" in _one_line(err)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("case", ["no master list", "connection refused", "v1 refused"])
def test_unusable_servers_are_one_line_exit_1(tmp_path, data_dir, capsys, case):
    with MirrorServer(Mirror(tmp_path / "empty")) as empty:
        url = empty.url if case == "no master list" else f"http://127.0.0.1:{_closed_port()}"
        extra = ["--product", "v1"] if case == "v1 refused" else []
        code, out, err = _cli(capsys, "fetch", "events", "--start", RANGE[0], "--end",
                              RANGE[1], "--base-url", url, "--data-dir", str(data_dir),
                              "--no-progress", "--attempts", "1", *extra)
    line = _one_line(err)
    assert code == 1 and line.startswith("toolkit: ")
    assert ("answered 404: is the base URL a GDELT mirror?" in line) \
        if case == "no master list" else ("connection refused (is the server running? "
                                          "check --base-url)" in line)


def test_a_data_dir_that_is_a_file_is_one_line_exit_1(tmp_path, capsys):
    f = tmp_path / "notadir"
    f.write_text("x")
    code, out, err = _cli(capsys, "fetch", "events", "--start", RANGE[0], "--end", RANGE[1],
                          "--data-dir", str(f), "--no-progress",
                          "--base-url", f"http://127.0.0.1:{_closed_port()}")
    line = _one_line(err)
    assert code == 1 and f"a file is in the way of a directory: {f}" in line


def test_a_read_only_data_dir_is_one_line_exit_1(tmp_path, capsys, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: make the lock file's creation fail as EACCES
        def denied(*a, **k):
            raise PermissionError(13, "Permission denied", str(ro / ".lock"))
        monkeypatch.setattr(store, "lock", denied)
    else:
        ro.chmod(0o500)
    try:
        code, out, err = _cli(capsys, "fetch", "events", "--start", RANGE[0], "--end",
                              RANGE[1], "--data-dir", str(ro), "--no-progress",
                              "--base-url", f"http://127.0.0.1:{_closed_port()}")
    finally:
        ro.chmod(0o700)
    line = _one_line(err)
    assert code == 1 and "Permission denied" in line and str(ro) in line


def test_a_run_with_a_failed_file_prints_its_summary_then_exits_1(mirror, data_dir, capsys):
    m, names, srv = mirror
    srv.fault(names[4], *["500"] * 10)
    code, out, err = _cli(capsys, "fetch", "events", "--start", RANGE[0], "--end", RANGE[1],
                          "--base-url", srv.url, "--data-dir", str(data_dir), "--no-progress",
                          "--attempts", "2", "--backoff", "0")
    assert code == 1 and f"FAILED {names[4]}" in out and "1 failed" in out
    assert "1 file(s) failed" in _one_line(err)
    # a settled 404 gap is not a failure
    srv.faults.clear()
    code, out, err = _cli(capsys, "fetch", "events", "--start", RANGE[0], "--end", RANGE[1],
                          "--base-url", srv.url, "--data-dir", str(data_dir), "--no-progress")
    assert code == 0 and err == ""
