"""GDELT 2.0 Mentions (issue 15, point 3): ``fetch_events(..., mentions=True)`` against a mirror
on 127.0.0.1 serving Mentions files in GDELT's layout (16 tab-separated columns), built from
the real 2019-10-24 14:30 export in ``tests/data`` (its event ids, times and source URLs)
and the synthetic exports of :func:`test_events_fetch.build_mirror`.

Every test compares what :func:`toolkit.sources.events.read_mentions` returns with the
mentions computed independently here from the lines the server served (plain Python), and
the cube with the one of :func:`test_events_fetch.expected`: the fault matrix of the export
files (404 gap, 5xx, 429 Retry-After, md5 mismatch, truncated and corrupt zips, malformed
lines, kill -9 then rerun) applied to the Mentions files.
"""

from __future__ import annotations

import json
import math
import signal
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest
from gdelt_mirror import Mirror, MirrorServer
from test_events_fetch import BAD_IDS, DAY1, DAY2, FAST, assert_same, build_mirror, expected

import toolkit
from toolkit import store
from toolkit.cli import main as cli_main
from toolkit.sources.events.fetch import fetch_events, read_mentions

from helpers import Crash, crash_at, ctrl_c_after, killed_fetch

RANGE = ("2019-10-24", "2019-10-25")
ACTS = ("RUS", "KOR", "PRK", "USA", "CHN", "GBR")
REAL = "20191024143000"
LATE = f"{DAY2}180000"  # a later file: mentions of the real events, a day after them


def _mention(fields: list[str], stamp: str, url: str | None = None, *, conf: str = "100",
             tone: str = "-1.5") -> list[str]:
    """A Mentions line (16 fields) for the export line ``fields``, seen in file ``stamp``."""
    gid, added, src = fields[0], fields[59], fields[60]
    url = url or src
    return [gid, added, stamp, "1", urlparse(url).netloc or "example.org", url, "1", "-1",
            "45", "60", "1", conf, "2500", tone, "", ""]


def _export_lines(m: Mirror, name: str) -> list[list[str]]:
    return [ln.split("\t") for ln in m.texts[name].decode().splitlines()
            if ln.count("\t") == 60]


def build(root: Path, reference_dir: Path) -> tuple[Mirror, list[str], list[str]]:
    """The exports of build_mirror (with the real file), and a Mentions file beside each:
    the first mention of each of its events (the real ones with their real SOURCEURL), a late
    file with later mentions, mentions of events nobody kept, and malformed lines."""
    m, names = build_mirror(root, reference_dir)
    mnames = []
    for name in names:
        stamp = name[:14]
        rows = [_mention(f, stamp) for f in _export_lines(m, name)]
        if stamp == REAL:
            # events GDELT saw before (not in any fetched export): not kept
            rows += [["800000001", "20191020120000", stamp, "1", "old.example", "https://old."
                      "example/a", "2", "-1", "-1", "30", "1", "40", "900", "0.5", "", ""]]
        if stamp == LATE:
            real = _export_lines(m, f"{REAL}.export.CSV.zip")
            rows += [_mention(f, stamp, f"https://example.org/later/{f[0]}", conf="60",
                              tone="2.25") for f in real[::5]]
            kept_real = next(f for f in real if f[7] in ACTS and f[17] in ACTS)
            bad = [_mention(kept_real, stamp, "https://example.org/bad/1", conf="x"),
                   _mention(kept_real, stamp, "https://example.org/bad/2", tone="nan"),
                   _mention(kept_real, stamp, "https://example.org/bad/3")[:15],
                   ["abc", *_mention(kept_real, stamp)[1:]],
                   [kept_real[0], kept_real[59], "2019", *_mention(kept_real, stamp)[3:]]]
            bad_gid = next(iter(sorted(BAD_IDS)))  # an event that was malformed: not kept
            rows += bad + [[bad_gid, LATE, stamp, "1", "x.example", "https://x.example/1",
                            "1", "-1", "-1", "-1", "0", "10", "100", "1.0", "", ""]]
        mnames.append(m.add_v2_mentions(stamp, rows))
    # outside the range: never fetched
    real = _export_lines(m, f"{REAL}.export.CSV.zip")
    m.add_v2_mentions("20191026000000", [_mention(f, "20191026000000",
                                                  f"https://example.org/after/{f[0]}")
                                         for f in real[:50]])
    m.write_index()
    return m, names, mnames


def kept_ids(m: Mirror, names) -> set[int]:
    """Events the actor filter keeps, from the served export lines (pandas, not the toolkit)."""
    df = m.frame(names)
    df = df[df._ok_fields & ~df.GLOBALEVENTID.isin(BAD_IDS)]
    k = df[df.Actor1CountryCode.isin(ACTS) & df.Actor2CountryCode.isin(ACTS)]
    return set(k.GLOBALEVENTID.astype(int))


def expected_mentions(m: Mirror, mnames, ids: set[int]) -> pd.DataFrame:
    """(event, mention time, url, confidence, tone, file) of every well-formed served mention
    of a kept event."""
    out = []
    for name in mnames:
        for line in m.mention_texts[name].decode().splitlines():
            f = line.split("\t")
            if len(f) != 16 or not f[0].isdigit() or len(f[2]) != 14:
                continue
            try:
                conf, tone = int(f[11]), float(f[13])
            except ValueError:
                continue
            if int(f[0]) in ids and math.isfinite(tone):
                out.append((int(f[0]), pd.Timestamp(f[2]), f[5], conf, tone, name))
    return pd.DataFrame(out, columns=["GLOBALEVENTID", "mention_time", "url", "confidence",
                                      "doc_tone", "source_file"])


def assert_mentions(data_dir, want: pd.DataFrame) -> pd.DataFrame:
    got = read_mentions(data_dir=data_dir)
    cols = list(want.columns)
    g = got[cols].sort_values(cols).reset_index(drop=True)
    w = want.sort_values(cols).reset_index(drop=True)
    pd.testing.assert_frame_equal(g, w, check_dtype=False)
    return got


@pytest.fixture
def mentions_mirror(tmp_path, reference_dir):
    m, names, mnames = build(tmp_path / "mirror", reference_dir)
    with MirrorServer(m) as srv:
        yield m, names, mnames, srv


def _fetch(srv, data_dir, **kw):
    kw.setdefault("policy", FAST)
    kw.setdefault("actors", ACTS)
    return fetch_events(*RANGE, base_url=srv.url, data_dir=data_dir, progress=False, **kw)


def _cube_ok(m, names, data_dir):
    cube, totals = expected(m, names, *RANGE, actors=ACTS)
    assert_same(toolkit.load_cube(*RANGE, source="local", data_dir=data_dir), cube)
    assert_same(toolkit.load_daily_totals(*RANGE, source="local", data_dir=data_dir), totals)


def test_mentions_of_kept_events_are_stored_and_a_rerun_downloads_nothing(mentions_mirror,
                                                                           data_dir):
    m, names, mnames, srv = mentions_mirror
    rep = _fetch(srv, data_dir, mentions=True)
    assert rep.ok and rep.downloaded == len(names) and rep.mentions is not None
    mr = rep.mentions
    assert mr.ok and mr.downloaded == len(mnames) and mr.files_selected == len(mnames)
    ids = kept_ids(m, names)
    want = expected_mentions(m, mnames, ids)
    assert len(want) > 150 and want.GLOBALEVENTID.nunique() > 100
    got = assert_mentions(data_dir, want)
    assert mr.rows_kept == len(want)
    # the real events' first mention is their real SOURCEURL; later ones arrive a day after
    real = {int(f[0]): f[60] for f in _export_lines(m, f"{REAL}.export.CSV.zip")}
    first = got[got.mention_time == pd.Timestamp(REAL)]
    assert set(first.GLOBALEVENTID) == ids & set(real)
    assert (first.url == first.GLOBALEVENTID.map(real)).all()
    late = got[(got.mention_time == pd.Timestamp(LATE)) & got.GLOBALEVENTID.isin(real)]
    assert len(late) > 10 and (late.event_time == pd.Timestamp(REAL)).all()
    assert got.mention_type_name.eq("WEB").all() and 800000001 not in set(got.GLOBALEVENTID)
    # malformed lines counted per reason, with line numbers; nothing aborted
    late_file = f"{LATE}.mentions.CSV.zip"
    assert mr.malformed_by_file[late_file]["reasons"] == {
        "unparsable value in a kept row": 1,
        "number out of range or not finite in a kept row": 1,
        "15 fields instead of 16": 1, "unparsable GLOBALEVENTID": 1,
        "unparsable MentionTimeDate": 1}
    assert "Mentions files:" in rep.summary() and f"{len(want):,} kept" in rep.summary()
    # the cube is the one of a fetch without mentions
    _cube_ok(m, names, data_dir)
    assert store.covers(*RANGE, data_dir=data_dir)
    assert read_mentions(*RANGE, data_dir=data_dir).attrs["coverage"] == {
        "v2-mentions": [{"start": RANGE[0], "end": RANGE[1]}]}
    # a rerun asks the server for nothing and changes nothing
    srv.requests.clear()
    rep2 = _fetch(srv, data_dir, mentions=True)
    assert srv.requests == [] and rep2.mentions.already_ingested == len(mnames)
    assert rep2.mentions.downloaded == 0 and rep2.ok
    assert_mentions(data_dir, want)


def test_read_mentions_filters_by_event_and_by_mention_day(mentions_mirror, data_dir):
    m, names, mnames, srv = mentions_mirror
    assert read_mentions(data_dir=data_dir).empty  # nothing fetched: empty, same columns
    _fetch(srv, data_dir, mentions=True)
    want = expected_mentions(m, mnames, kept_ids(m, names))
    some = sorted(want.GLOBALEVENTID.unique())[:3]
    got = read_mentions(event_ids=some, data_dir=data_dir)
    assert set(got.GLOBALEVENTID) == set(some)
    assert len(got) == want.GLOBALEVENTID.isin(some).sum()
    assert got.mention_time.is_monotonic_increasing or got.GLOBALEVENTID.nunique() > 1
    day2 = read_mentions("2019-10-25", "2019-10-25", data_dir=data_dir)
    assert len(day2) == (want.mention_time.dt.normalize() == pd.Timestamp(DAY2)).sum() > 0
    assert list(read_mentions(data_dir=data_dir).columns) == list(
        read_mentions(event_ids=[], data_dir=data_dir).columns)
    with pytest.raises(ValueError, match="is after end"):
        read_mentions("2019-10-26", "2019-10-24", data_dir=data_dir)


def test_without_the_flag_no_mentions_file_is_requested(mentions_mirror, data_dir):
    m, names, mnames, srv = mentions_mirror
    rep = _fetch(srv, data_dir)
    assert rep.ok and rep.mentions is None and "Mentions" not in rep.summary()
    assert srv.requests and not [p for p in srv.requests if "mentions" in p]
    assert not (data_dir / "gdelt/v2-mentions").exists()
    _cube_ok(m, names, data_dir)
    # asking for them later fetches only the Mentions files
    srv.requests.clear()
    rep = _fetch(srv, data_dir, mentions=True)
    assert sorted(srv.data_requests()) == sorted(f"/gdeltv2/{n}" for n in mnames)
    assert_mentions(data_dir, expected_mentions(m, mnames, kept_ids(m, names)))


def test_mentions_fault_matrix(mentions_mirror, data_dir):
    """404 gap, md5 mismatch, truncated body, short zip then 5xx, 429 Retry-After, a slow
    then hanging server: the stored mentions are exactly those of the served files."""
    m, names, mnames, srv = mentions_mirror
    gap = mnames[5]
    (m.root / "gdeltv2" / gap).unlink()  # listed, 404 on the server: a gap
    srv.fault(mnames[0], "corrupt")
    srv.fault(mnames[1], "truncate")
    srv.fault(mnames[2], "short", "500")
    srv.fault(mnames[3], ("429", 1))
    srv.fault(mnames[4], ("slow", 1.5), ("hang", 1.5))
    rep = _fetch(srv, data_dir, mentions=True, workers=3)
    mr = rep.mentions
    assert rep.ok and mr.failed == {} and mr.missing == [gap]
    assert mr.downloaded == len(mnames) - 1
    served = [n for n in mnames if n != gap]
    want = expected_mentions(m, served, kept_ids(m, names))
    assert_mentions(data_dir, want)
    t = [tm for p, tm in srv.times if p.endswith(mnames[3])]
    assert len(t) == 2 and t[1] - t[0] >= 0.95
    man = json.loads((data_dir / "gdelt/v2-mentions/manifest/2019-10.json").read_text())
    assert man["files"][gap]["status"] == "gap"
    assert man["files"][mnames[0]]["status"] == "ingested"
    assert not list(data_dir.rglob("*.part"))
    _cube_ok(m, names, data_dir)
    srv.requests.clear()
    rep2 = _fetch(srv, data_dir, mentions=True)
    assert srv.requests == [] and rep2.mentions.missing == [gap]
    assert_mentions(data_dir, want)


@pytest.mark.parametrize("blob", ["garbage", "two members"])
def test_a_corrupt_mentions_zip_fails_that_file_exit_1_and_keeps_the_rest(
        mentions_mirror, data_dir, capsys, blob):
    m, names, mnames, srv = mentions_mirror
    bad = mnames[2]
    if blob == "garbage":
        data = b"PK\x03\x04" + b"\x00" * 200  # listed with this md5: downloads, won't unzip
    else:
        import io
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(bad[:-4], m.mention_texts[bad])
            zf.writestr("extra.csv", b"x\n")
        data = buf.getvalue()
    m.add_v2_zip(bad[:14], data, kind="mentions")
    m.write_index()
    code = cli_main(["fetch", "events", "--start", RANGE[0], "--end", RANGE[1], "--actors",
                     ",".join(ACTS), "--base-url", srv.url, "--data-dir", str(data_dir),
                     "--mentions", "--no-progress", "--attempts", "2", "--backoff", "0.01"])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert err.strip().splitlines() == [
        "toolkit: 1 Mentions file(s) failed; their days are not marked complete (rerun to "
        "retry)"]
    assert f"Mentions FAILED {bad}: unreadable zip" in out
    assert store.covers(*RANGE, data_dir=data_dir)  # the cube's days do not wait for it
    ok = [n for n in mnames if n != bad]
    assert_mentions(data_dir, expected_mentions(m, ok, kept_ids(m, names)))
    cov = read_mentions(data_dir=data_dir).attrs["coverage"]["v2-mentions"]
    assert cov == [{"start": "2019-10-25", "end": "2019-10-25"}]  # the bad file's day: no
    # the server repaired: the rerun fetches that one file, and everything is complete
    m.add_v2_mentions(bad[:14], m.mention_texts[bad])
    m.write_index()
    (data_dir / "gdelt/v2/index.txt").unlink()  # a fresh list names the repaired file
    srv.requests.clear()
    rep = _fetch(srv, data_dir, mentions=True)
    assert rep.ok and srv.data_requests() == [f"/gdeltv2/{bad}"], rep.summary()
    assert_mentions(data_dir, expected_mentions(m, mnames, kept_ids(m, names)))


def test_a_server_without_mentions_files_records_no_gaps_and_exits_1(mentions_mirror,
                                                                     data_dir, capsys):
    m, names, mnames, srv = mentions_mirror
    for n in mnames:
        (m.root / "gdeltv2" / n).unlink()
    code = cli_main(["fetch", "events", "--start", RANGE[0], "--end", RANGE[1], "--actors",
                     ",".join(ACTS), "--base-url", srv.url, "--data-dir", str(data_dir),
                     "--mentions", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "every Mentions file answered 404" in err
    man = data_dir / "gdelt/v2-mentions/manifest/2019-10.json"
    assert json.loads(man.read_text())["files"] == {}
    assert read_mentions(data_dir=data_dir).empty
    _cube_ok(m, names, data_dir)


def test_mentions_for_gdelt1_are_refused_before_any_request(mentions_mirror, data_dir,
                                                            capsys):
    m, names, mnames, srv = mentions_mirror
    with pytest.raises(ValueError, match="GDELT v1 has no Mentions files"):
        fetch_events(*RANGE, product="v1", base_url=srv.url, data_dir=data_dir,
                     mentions=True, progress=False)
    code = cli_main(["fetch", "events", "--start", RANGE[0], "--end", RANGE[1], "--product",
                     "v1", "--mentions", "--base-url", srv.url, "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert code == 2 and "has no Mentions files" in err and len(err.strip().splitlines()) == 1
    assert srv.requests == []


def test_a_larger_actor_set_refilters_stored_mentions_without_downloads(mentions_mirror,
                                                                        data_dir):
    m, names, mnames, srv = mentions_mirror
    _fetch(srv, data_dir, mentions=True, actors=("RUS", "KOR", "PRK"))
    srv.requests.clear()
    rep = _fetch(srv, data_dir, mentions=True, actors=ACTS)
    assert srv.requests == [] and rep.mentions.present == len(mnames)
    assert_mentions(data_dir, expected_mentions(m, mnames, kept_ids(m, names)))


def test_translingual_mentions_with_product_v2_all(tmp_path, reference_dir, data_dir):
    m, names, mnames = build(tmp_path / "mirror", reference_dir)
    real = _export_lines(m, f"{REAL}.export.CSV.zip")
    tr_rows = [f for f in real if f[7] in ACTS and f[17] in ACTS][:20]
    tr = []
    for k, f in enumerate(tr_rows):  # the same events, in a translingual export
        f = list(f)
        f[0] = str(990_000_000 + k)
        tr.append(f)
    t_names = [m.add_v2(f"{DAY1}150000", tr, translation=True),
               m.add_v2("20191026000000", tr[:1], translation=True)]
    t_m = m.add_v2_mentions(f"{DAY1}150000", [_mention(f, f"{DAY1}150000") for f in tr],
                            translation=True)
    m.add_v2_mentions("20191026000000", [_mention(tr[0], "20191026000000")],
                      translation=True)
    m.write_index()
    with MirrorServer(m) as srv:
        rep = _fetch(srv, data_dir, mentions=True, product="v2-all")
        assert rep.ok and rep.mentions.downloaded == len(mnames) + 1
        assert f"/gdeltv2/{t_m}" in srv.requests
        ids = kept_ids(m, names + t_names[:1])
        want = pd.concat([expected_mentions(m, mnames, ids),
                          expected_mentions(m, [t_m], ids)], ignore_index=True)
        assert want.source_file.eq(t_m).sum() == len(tr)
        got = assert_mentions(data_dir, want)
        assert set(got.attrs["coverage"]) == {"v2-mentions", "v2-translation-mentions"}
        assert (data_dir / "gdelt/v2-translation-mentions/rows/2019-10.parquet").exists()
        assert not (data_dir / "gdelt/v2-translation-mentions/index.txt").exists()


def test_an_earlier_range_fetched_later_rematches_the_stored_mentions(mentions_mirror,
                                                                       data_dir):
    """Day 2 first: its late mentions of day-1 events are not kept (those events are not
    stored yet). Then day 1: its events are stored, and day 2's Mentions files, parsed
    before them, are matched again from the kept zips, without a download."""
    m, names, mnames, srv = mentions_mirror
    fetch_events(RANGE[1], RANGE[1], base_url=srv.url, data_dir=data_dir, actors=ACTS,
                 progress=False, policy=FAST, mentions=True)
    day2 = [n for n in mnames if n.startswith(DAY2)]
    ids2 = kept_ids(m, [n for n in names if n.startswith(DAY2)])
    assert_mentions(data_dir, expected_mentions(m, day2, ids2))
    srv.requests.clear()
    rep = fetch_events(RANGE[0], RANGE[0], base_url=srv.url, data_dir=data_dir, actors=ACTS,
                       progress=False, policy=FAST, mentions=True)
    assert rep.mentions.reprocessed == len(day2) and rep.mentions.present == len(day2)
    assert all(DAY1 in p for p in srv.data_requests())  # day 2's zips were not fetched
    want = expected_mentions(m, mnames, kept_ids(m, names))
    assert (want.source_file.str.startswith(DAY2) & ~want.GLOBALEVENTID.isin(ids2)).sum() > 10
    assert_mentions(data_dir, want)
    # nothing new stored since: a rerun of both days matches nothing again, asks nothing
    srv.requests.clear()
    rep = _fetch(srv, data_dir, mentions=True)
    assert srv.requests == [] and rep.mentions.reprocessed == 0 and rep.ok
    assert_mentions(data_dir, want)


def test_cli_mentions_flag_prints_the_mentions_summary_and_exits_0(mentions_mirror, data_dir,
                                                                  capsys):
    m, names, mnames, srv = mentions_mirror
    code = cli_main(["fetch", "events", "--start", RANGE[0], "--end", RANGE[1], "--actors",
                     ",".join(ACTS), "--base-url", srv.url, "--data-dir", str(data_dir),
                     "--mentions", "--no-progress"])
    out, err = capsys.readouterr()
    want = expected_mentions(m, mnames, kept_ids(m, names))
    assert code == 0 and err == ""
    assert f"Mentions files: {len(mnames)} selected, {len(mnames)} downloaded" in out
    assert "Mentions rows: " in out and f"{len(want):,} kept (mentions of kept events)" in out
    assert_mentions(data_dir, want)


@pytest.mark.parametrize("stop_after", [2, 5])
def test_ctrl_c_during_the_mentions_keeps_what_was_stored_and_rerun_completes(
        mentions_mirror, data_dir, monkeypatch, stop_after):
    m, names, mnames, srv = mentions_mirror
    with ctrl_c_after(monkeypatch, stop_after, only="mentions"), \
            pytest.raises(KeyboardInterrupt):
        _fetch(srv, data_dir, mentions=True, workers=1)
    man = json.loads((data_dir / "gdelt/v2-mentions/manifest/2019-10.json").read_text())
    stored = [n for n, x in man["files"].items() if x["status"] == "ingested"]
    assert 0 < len(stored) < len(mnames)
    _mentions_trusted_hold_their_data(m, names, mnames, data_dir)
    srv.requests.clear()
    rep = _fetch(srv, data_dir, mentions=True)
    assert rep.ok and rep.mentions.already_ingested == len(stored)
    # only Mentions files not stored before the interrupt are asked for; no export
    assert set(srv.data_requests()) <= {f"/gdeltv2/{n}" for n in mnames if n not in stored}
    assert_mentions(data_dir, expected_mentions(m, mnames, kept_ids(m, names)))


@pytest.mark.parametrize("target", ["rows/2019-10.parquet", "manifest/2019-10.json",
                                    "coverage.json"])
def test_a_damaged_mentions_cache_file_is_named(mentions_mirror, data_dir, capsys, target):
    m, names, mnames, srv = mentions_mirror
    _fetch(srv, data_dir, mentions=True)
    p = data_dir / "gdelt/v2-mentions" / target
    p.write_bytes(b"\x00garbage")
    if target != "manifest/2019-10.json":
        with pytest.raises(toolkit.errors.CacheCorrupt, match=str(p)):
            read_mentions(data_dir=data_dir)
    if target == "rows/2019-10.parquet":
        (data_dir / "gdelt/v2-mentions/totals/2019-10.parquet").unlink()  # re-ingest: rows read
    code = cli_main(["fetch", "events", "--start", RANGE[0], "--end", RANGE[1], "--actors",
                     ",".join(ACTS), "--base-url", srv.url, "--data-dir", str(data_dir),
                     "--mentions", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert str(p) in err


# -- crashes ----------------------------------------------------------------------------------

def _mentions_trusted_hold_their_data(m, names, mnames, data_dir):
    """What the Mentions coverage vouches for is stored: every covered day has all the
    mentions of its files."""
    want = expected_mentions(m, mnames, kept_ids(m, names))
    got = read_mentions(data_dir=data_dir)
    for r in got.attrs["coverage"].get("v2-mentions", []):
        for d in pd.date_range(r["start"], r["end"], freq="D"):
            w = want[want.source_file.str[:8] == f"{d:%Y%m%d}"]
            g = got[got.source_file.str[:8] == f"{d:%Y%m%d}"]
            assert len(g) == len(w)


def test_a_crash_before_any_mentions_write_then_rerun_gives_the_same_mentions(
        mentions_mirror, data_dir, monkeypatch):
    m, names, mnames, srv = mentions_mirror
    calls: list = []
    with crash_at(monkeypatch, 0, calls):
        _fetch(srv, data_dir / "ref", workers=1, mentions=True)
    first = next(i for i, p in enumerate(calls, 1) if "mentions" in p)
    assert len(calls) - first >= 3
    want = expected_mentions(m, mnames, kept_ids(m, names))
    for k in range(first, len(calls) + 1):
        ddir = data_dir / f"crash{k}"
        with crash_at(monkeypatch, k, []), pytest.raises(Crash):
            _fetch(srv, ddir, workers=1, mentions=True)
        _mentions_trusted_hold_their_data(m, names, mnames, ddir)
        rep = _fetch(srv, ddir, mentions=True)
        assert rep.ok, (k, rep.summary())
        assert_mentions(ddir, want)
        _cube_ok(m, names, ddir)


@pytest.mark.parametrize("k", [1, 3, 4])  # rows, manifest, coverage
def test_kill_9_during_the_mentions_then_rerun_gives_the_same_mentions(mentions_mirror,
                                                                      data_dir, k):
    m, names, mnames, srv = mentions_mirror
    r = killed_fetch(k, only="mentions", start=RANGE[0], end=RANGE[1], base_url=srv.url,
                     data_dir=str(data_dir), actors=list(ACTS), mentions=True)
    assert r.returncode == -signal.SIGKILL, r.stderr
    _mentions_trusted_hold_their_data(m, names, mnames, data_dir)
    srv.requests.clear()
    rep = _fetch(srv, data_dir, mentions=True)
    assert rep.ok
    # the exports were all stored before the kill; the Mentions files verified before it are
    # re-parsed from disk, not downloaded again
    assert rep.already_ingested == len(names) and srv.data_requests() == []
    assert len(mnames) == rep.mentions.already_ingested + rep.mentions.present
    assert read_mentions(data_dir=data_dir).attrs["coverage"] == {
        "v2-mentions": [{"start": RANGE[0], "end": RANGE[1]}]}
    assert_mentions(data_dir, expected_mentions(m, mnames, kept_ids(m, names)))
    _cube_ok(m, names, data_dir)


def test_mirror_lists_mentions_with_their_real_size_and_md5(tmp_path):
    import hashlib

    m = Mirror(tmp_path / "m")
    name = m.add_v2_mentions("20191024143000", [["1"] * 16])
    m.write_index()
    blob = (tmp_path / "m/gdeltv2" / name).read_bytes()
    lines = (tmp_path / "m/gdeltv2/masterfilelist.txt").read_text().splitlines()
    assert f"{len(blob)} {hashlib.md5(blob).hexdigest()} " \
           f"http://data.gdeltproject.org/gdeltv2/{name}" in lines
    assert not [ln for ln in lines if ln.startswith("1234 ")]  # no placeholder lines
