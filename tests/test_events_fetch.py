"""The events pipeline end to end, against a GDELT mirror served on 127.0.0.1 with faults.

Every test compares the cube the pipeline stored with a cube computed independently from the
rows the server served (a pandas groupby here, not the toolkit's SQL): nothing lost, nothing
doubled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gdelt_mirror import V2_NAMES, Mirror, MirrorServer, make_row

import toolkit
from toolkit.cli import main as cli_main
from toolkit.sources.events.download import RetryPolicy
from toolkit.sources.events.fetch import EventsFetchError, fetch_events

from helpers import ctrl_c_after

REPO = Path(__file__).resolve().parents[1]
FAST = RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05, timeout=0.5)
DAY1, DAY2 = "20191024", "20191025"
#: GLOBALEVENTIDs the test deliberately made malformed (besides wrong field counts)
BAD_IDS: set[str] = set()


def _rows_for(stamp: str, gid0: int, rng: np.random.Generator, n: int = 40) -> list[list[str]]:
    """Synthetic rows of one 15-minute file: dyads, traps, self-dyads, late and old events."""
    added = int(stamp)
    day = int(stamp[:8])
    acts = ["RUS", "KOR", "PRK", "USA", "CHN", "", "JPN"]
    rows = []
    for i in range(n):
        a1, a2 = rng.choice(acts), rng.choice(acts)
        root = f"{rng.integers(1, 21):02d}"
        quad = 1 if root <= "05" else 2 if root <= "08" else 3 if root <= "13" else 4
        sqld = day if rng.random() < 0.8 else int((pd.Timestamp(str(day)) - pd.Timedelta(
            days=int(rng.integers(1, 4)))).strftime("%Y%m%d"))
        geo = rng.choice(["RS", "KS", "KN", "US", ""])
        rows.append(make_row(gid0 + i, sqld, added, str(a1), str(a2), root=root, quad=quad,
                             gold=float(rng.integers(-100, 100)) / 10,
                             mentions=int(rng.integers(1, 20)),
                             sources=int(rng.integers(1, 5)),
                             articles=int(rng.integers(1, 15)),
                             tone=float(np.round(rng.normal(-2, 3), 4)),
                             is_root=int(rng.integers(0, 2)), action_geo=str(geo)))
    # the FIPS trap: Russia as the *place* (RS), other countries as actors
    rows.append(make_row(gid0 + 90, day, added, "USA", "UKR", root="19", quad=4,
                         action_geo="RS"))
    rows.append(make_row(gid0 + 91, day, added, "", "", root="14", quad=4, action_geo="RS"))
    # a guaranteed dyad with a leading-zero root code
    rows.append(make_row(gid0 + 92, day, added, "RUS", "KOR", root="01", quad=1, gold=0.0))
    rows.append(make_row(gid0 + 93, day, added, "PRK", "RUS", root="05", quad=1, gold=3.5))
    return rows


def build_mirror(root: Path, reference_dir: Path | None = None) -> tuple[Mirror, list[str]]:
    """Two days, a few 15-minute files each, with malformed lines and a duplicated event."""
    rng = np.random.default_rng(7)
    m = Mirror(root)
    names = []
    stamps = [f"{DAY1}000000", f"{DAY1}120000", f"{DAY1}234500", f"{DAY2}000000",
              f"{DAY2}061500", f"{DAY2}180000"]
    for k, st in enumerate(stamps):
        rows = _rows_for(st, 1000 * (k + 1), rng)
        if k == 1:
            short = make_row(1900 + k, int(st[:8]), int(st), "RUS", "KOR")[:55]
            bad = make_row(1950 + k, int(st[:8]), int(st), "RUS", "KOR")
            bad[V2_NAMES.index("NumArticles")] = "n/a"
            bad2 = make_row(1960 + k, int(st[:8]), int(st), "KOR", "PRK")
            bad2[V2_NAMES.index("AvgTone")] = "-1.2.3"
            BAD_IDS.update({str(1950 + k), str(1960 + k)})
            rows += [short, bad, bad2]
        if k == 4:  # the same event published again later: counts once (earliest DATEADDED)
            dup = make_row(1092, int(DAY1), int(stamps[0]), "RUS", "KOR", root="01", quad=1,
                           gold=0.0)
            dup[V2_NAMES.index("DATEADDED")] = st
            rows.append(dup)
        names.append(m.add_v2(st, rows))
    if reference_dir is not None:  # one real GDELT 2.0 file, unmodified
        real = (reference_dir / "gdelt2-events-20191024143000.export.CSV").read_bytes()
        names.append(m.add_v2("20191024143000", real))
    # outside the range: must not be fetched
    m.add_v2("20191026000000", _rows_for("20191026000000", 9000, rng))
    m.write_index()
    return m, names


def expected(m: Mirror, names, start, end, actors=("RUS", "KOR", "PRK"), basis="sqldate"):
    """Cube and totals computed with pandas from the served rows (not the toolkit's SQL)."""
    df = m.frame(names)
    df = df[df._ok_fields & ~df.GLOBALEVENTID.isin(BAD_IDS)].copy()
    for c in ("SQLDATE", "DATEADDED", "NumArticles", "NumMentions", "NumSources", "QuadClass",
              "IsRootEvent", "GLOBALEVENTID"):
        df[c] = df[c].astype("int64")
    for c in ("GoldsteinScale", "AvgTone"):
        df[c] = df[c].astype(float)
    dayint = df.SQLDATE if basis == "sqldate" else df.DATEADDED.astype(str).str[:8].astype(int)
    df["date"] = pd.to_datetime(dayint.astype(str), format="%Y%m%d")
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    totals = (df[(df.date >= lo) & (df.date <= hi)].groupby("date")
              .agg(total_events=("NumArticles", "size"), total_articles=("NumArticles", "sum"))
              .reset_index())
    k = df[df.Actor1CountryCode.isin(actors) & df.Actor2CountryCode.isin(actors)
           & (df.Actor1CountryCode != df.Actor2CountryCode)]
    k = k.sort_values(["GLOBALEVENTID", "DATEADDED"]).drop_duplicates("GLOBALEVENTID")
    k = k[(k.date >= lo) & (k.date <= hi)]
    k = k.assign(gxa=k.GoldsteinScale * k.NumArticles, txa=k.AvgTone * k.NumArticles,
                 root=(k.IsRootEvent == 1).astype(int),
                 stype=k.Actor1Type1Code.fillna("").astype(str))
    cube = (k.groupby(["date", "Actor1CountryCode", "stype", "Actor2CountryCode",
                       "EventRootCode", "QuadClass"])
            .agg(events=("GLOBALEVENTID", "size"), root_events=("root", "sum"),
                 articles=("NumArticles", "sum"), mentions=("NumMentions", "sum"),
                 sources=("NumSources", "sum"), goldstein_sum=("GoldsteinScale", "sum"),
                 goldstein_x_articles=("gxa", "sum"), tone_x_articles=("txa", "sum"))
            .reset_index()
            .rename(columns={"Actor1CountryCode": "source", "stype": "source_type",
                             "Actor2CountryCode": "target",
                             "EventRootCode": "root_code", "QuadClass": "quad_class"}))
    return cube, totals


def assert_same(got: pd.DataFrame, want: pd.DataFrame):
    key = [c for c in want.columns if c in ("date", "source", "source_type", "target",
                                             "root_code", "quad_class")]
    g = got[list(want.columns)].sort_values(key).reset_index(drop=True)
    w = want.sort_values(key).reset_index(drop=True)
    for c in key:
        if c != "date":
            g[c], w[c] = g[c].astype(str), w[c].astype(str)
    g["date"], w["date"] = pd.to_datetime(g["date"]), pd.to_datetime(w["date"])
    pd.testing.assert_frame_equal(g, w, check_dtype=False, atol=1e-9)


def local_cube(data_dir, start, end, actors=None):
    return toolkit.load_cube(start, end, source="local", data_dir=data_dir, actors=actors)


def _serve(root: Path, ref: Path | None):
    m, names = build_mirror(root, ref)
    return m, names, MirrorServer(m).start()


@pytest.fixture
def mirror(tmp_path):
    m, names, srv = _serve(tmp_path / "mirror", None)
    yield m, names, srv
    srv.stop()


@pytest.fixture
def mirror_with_reference(tmp_path, reference_dir):
    m, names, srv = _serve(tmp_path / "mirror", reference_dir)
    yield m, names, srv
    srv.stop()


def test_clean_fetch_matches_independent_cube_and_rerun_downloads_nothing(mirror, data_dir):
    m, names, srv = mirror
    rep = fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                       policy=FAST, progress=False)
    assert rep.ok and rep.downloaded == len(names) and rep.failed == {} and rep.missing == []
    assert rep.rows_malformed == 3 and list(rep.malformed_by_file) == [names[1]]
    assert rep.malformed_by_file[names[1]]["reasons"] == {
        "55 fields instead of 61": 1, "unparsable NumArticles": 1,
        "unparsable value in a kept row": 1}
    cube, totals = expected(m, names, "2019-10-24", "2019-10-25")
    assert len(cube) > 10 and cube.events.sum() > 20
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    assert_same(toolkit.load_daily_totals("2019-10-24", "2019-10-25", source="local",
                                          data_dir=data_dir), totals)
    assert "/gdeltv2/20191026000000.export.CSV.zip" not in srv.requests
    # auto now picks the local cache for the fetched range
    auto = toolkit.load_cube("2019-10-24", "2019-10-25", source="auto", data_dir=data_dir)
    assert auto.attrs["source"] == "local" and len(auto) == len(cube)

    srv.requests.clear()
    rep2 = fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                        policy=FAST, progress=False)
    assert srv.requests == [] and rep2.downloaded == 0 and rep2.already_ingested == len(names)
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    assert_same(toolkit.load_daily_totals("2019-10-24", "2019-10-25", source="local",
                                          data_dir=data_dir), totals)


def test_real_gdelt_file_in_the_mirror(mirror_with_reference, data_dir):
    m, names, srv = mirror_with_reference
    acts = ("RUS", "KOR", "PRK", "USA", "CHN", "GBR")
    rep = fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                       actors=acts, policy=FAST, progress=False)
    assert rep.rows_read == sum(len(m.texts[n].splitlines()) for n in names)
    assert rep.rows_read > 2111
    cube, totals = expected(m, names, "2019-10-24", "2019-10-25", actors=acts)
    assert cube.source.isin(["USA", "CHN", "GBR"]).any()
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    assert_same(toolkit.load_daily_totals("2019-10-24", "2019-10-25", source="local",
                                          data_dir=data_dir), totals)


def test_faults_are_survived_and_nothing_is_lost_or_doubled(mirror, data_dir):
    m, names, srv = mirror
    gap = names[5]
    (m.root / "gdeltv2" / gap).unlink()  # listed in the index, 404 on the server: a gap
    srv.fault(names[0], "corrupt")  # md5 mismatch
    srv.fault(names[1], "truncate")  # connection closed mid-body
    srv.fault(names[2], "short", "500")  # truncated zip (size mismatch), then a 5xx
    srv.fault(names[3], ("429", 1))  # Retry-After: 1 second
    srv.fault(names[4], ("slow", 1.5), ("hang", 1.5))  # slower than the 0.5 s timeout, twice
    rep = fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                       policy=FAST, progress=False, workers=3)
    assert rep.failed == {} and rep.missing == [gap]
    assert rep.downloaded == len(names) - 1
    served = [n for n in names if n != gap]
    cube, totals = expected(m, served, "2019-10-24", "2019-10-25")
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    assert_same(toolkit.load_daily_totals("2019-10-24", "2019-10-25", source="local",
                                          data_dir=data_dir), totals)
    # the 429 was honoured: the retry came at least Retry-After seconds later
    t = [tm for p, tm in srv.times if p.endswith(names[3])]
    assert len(t) == 2 and t[1] - t[0] >= 0.95
    assert srv.data_requests().count(f"/gdeltv2/{names[4]}") == 3
    man = json.loads((data_dir / "gdelt/v2/manifest/2019-10.json").read_text())["files"]
    assert man[gap]["status"] == "gap"
    assert man[names[1]]["malformed"] == 3 and man[names[0]]["status"] == "ingested"
    assert not list(data_dir.rglob("*.part"))
    # the gap is in the coverage (a real GDELT gap), and a rerun asks for nothing
    assert toolkit.store.covers("2019-10-24", "2019-10-25", data_dir=data_dir)
    srv.requests.clear()
    rep2 = fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                        policy=FAST, progress=False)
    assert srv.requests == [] and rep2.missing == [gap]
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)


def test_partial_failure_warns_keeps_the_rest_and_rerun_completes(mirror, data_dir):
    m, names, srv = mirror
    srv.fault(names[4], *["500"] * 10)
    with pytest.warns(UserWarning, match="1 GDELT file"):
        rep = fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                           policy=FAST, progress=False)
    assert list(rep.failed) == [names[4]] and "HTTP 500" in rep.failed[names[4]]
    # day 2 is incomplete, so only day 1 is covered
    assert toolkit.store.covers("2019-10-24", "2019-10-24", data_dir=data_dir)
    assert not toolkit.store.covers("2019-10-25", "2019-10-25", data_dir=data_dir)
    srv.faults.clear()
    srv.requests.clear()
    rep2 = fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                        policy=FAST, progress=False)
    assert rep2.ok and srv.data_requests() == [f"/gdeltv2/{names[4]}"]
    cube, totals = expected(m, names, "2019-10-24", "2019-10-25")
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    assert_same(toolkit.load_daily_totals("2019-10-24", "2019-10-25", source="local",
                                          data_dir=data_dir), totals)


def test_every_file_failing_is_an_error_and_cli_exits_nonzero(mirror, data_dir, capsys):
    m, names, srv = mirror
    for n in names:
        srv.fault(n, *["500"] * 20)
    with pytest.raises(EventsFetchError, match="No GDELT file could be fetched"):
        fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                     policy=RetryPolicy(attempts=2, backoff=0.01, timeout=0.5), progress=False)
    code = cli_main(["fetch", "events", "--start", "2019-10-24", "--end", "2019-10-24",
                     "--base-url", srv.url, "--data-dir", str(data_dir), "--attempts", "1",
                     "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "No GDELT file could be fetched" in err[0]


def test_wrong_base_url_all_404_is_an_error_and_records_no_gaps(mirror, data_dir):
    m, names, srv = mirror
    with pytest.raises(EventsFetchError, match="404"):
        fetch_events("2019-10-24", "2019-10-24", product="v1", base_url=srv.url,
                     data_dir=data_dir, policy=FAST, progress=False)
    man = data_dir / "gdelt/v1/manifest/2019-10.json"
    assert not man.exists() or json.loads(man.read_text())["files"] == {}


def test_fips_trap_rows_are_not_counted_as_russia(mirror, data_dir):
    m, names, srv = mirror
    fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                 policy=FAST, progress=False)
    cube = local_cube(data_dir, "2019-10-24", "2019-10-25")
    df = m.frame(names)
    df = df[df._ok_fields & ~df.GLOBALEVENTID.isin(BAD_IDS)]
    acts = ["RUS", "KOR", "PRK"]
    trap = df[(df.ActionGeo_CountryCode == "RS") & ~(df.Actor1CountryCode.isin(acts)
                                                     & df.Actor2CountryCode.isin(acts))]
    assert len(trap) >= 2 * len(names)  # the trap rows are really there
    real_rus = df[((df.Actor1CountryCode == "RUS") & df.Actor2CountryCode.isin(["KOR", "PRK"]))
                  | ((df.Actor2CountryCode == "RUS") & df.Actor1CountryCode.isin(["KOR", "PRK"]))]
    real_rus = real_rus[real_rus.SQLDATE.isin([DAY1, DAY2])].drop_duplicates("GLOBALEVENTID")
    rus = cube[(cube.source == "RUS") | (cube.target == "RUS")]
    assert rus.events.sum() == len(real_rus)
    kept = pd.read_parquet(data_dir / "gdelt/v2/rows/2019-10.parquet")
    assert not kept.GLOBALEVENTID.isin(trap.GLOBALEVENTID.astype(int)).any()
    assert kept.GLOBALEVENTID.is_unique


def test_actor_set_grows_refilters_from_kept_files_without_downloads(mirror, data_dir):
    m, names, srv = mirror
    fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                 policy=FAST, progress=False)
    srv.requests.clear()
    rep = fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                       actors="USA,CHN,RUS", policy=FAST, progress=False)
    assert srv.requests == [] and rep.present == len(names) and rep.reprocessed == len(names)
    allacts = ("RUS", "KOR", "PRK", "USA", "CHN")
    cube, _ = expected(m, names, "2019-10-24", "2019-10-25", actors=allacts)
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    sub, _ = expected(m, names, "2019-10-24", "2019-10-25", actors=("USA", "CHN"))
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25", actors=["USA", "CHN"]), sub)


def test_new_actors_also_refilter_days_fetched_earlier(mirror, data_dir):
    m, names, srv = mirror
    fetch_events("2019-10-24", "2019-10-24", base_url=srv.url, data_dir=data_dir,
                 policy=FAST, progress=False)
    rep = fetch_events("2019-10-25", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                       actors=["JPN", "RUS"], policy=FAST, progress=False)
    assert rep.reprocessed == 3 and rep.downloaded == 3  # day 1 re-filtered from kept zips
    acts = ("RUS", "KOR", "PRK", "JPN")
    cube, totals = expected(m, names, "2019-10-24", "2019-10-25", actors=acts)
    assert cube.source.eq("JPN").any()
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    assert_same(toolkit.load_daily_totals("2019-10-24", "2019-10-25", source="local",
                                          data_dir=data_dir), totals)


@pytest.mark.parametrize("ranges", [True, False], ids=["range", "no-range"])
def test_stale_index_is_extended_with_a_range_request(tmp_path, data_dir, ranges):
    m, names = build_mirror(tmp_path / "mirror")
    with MirrorServer(m) as srv:
        srv.ranges_supported = ranges
        fetch_events("2019-10-24", "2019-10-24", base_url=srv.url, data_dir=data_dir,
                     policy=FAST, progress=False)
        # GDELT publishes a later file; the cached list predates it
        new = m.add_v2("20191027000000", _rows_for("20191027000000", 70_000,
                                                    np.random.default_rng(5)))
        # and the next day's first file: the list then covers all of the 27th
        m.add_v2("20191028000000", _rows_for("20191028000000", 80_000,
                                             np.random.default_rng(6)))
        m.write_index()
        idx = data_dir / "gdelt/v2/index.txt"
        os.utime(idx, (1e9, 1e9))
        srv.requests.clear()
        rep = fetch_events("2019-10-27", "2019-10-27", base_url=srv.url, data_dir=data_dir,
                           policy=FAST, progress=False)
        assert rep.downloaded == 1 and srv.data_requests() == [f"/gdeltv2/{new}"]
        assert idx.read_bytes() == (m.root / "gdeltv2/masterfilelist.txt").read_bytes()
        got = [(p, st) for p, _, st in srv.ranges]
        assert got == ([("/gdeltv2/masterfilelist.txt", 206)] if ranges else [])
        # nothing new and stale again: a 416 keeps the cached list, no full download
        os.utime(idx, (1e9, 1e9))
        srv.requests.clear()
        fetch_events("2019-10-27", "2019-10-27", base_url=srv.url, data_dir=data_dir,
                     policy=FAST, progress=False)
        assert srv.requests == ["/gdeltv2/masterfilelist.txt"]
        if ranges:
            assert srv.ranges[-1][2] == 416
        cube, totals = expected(m, names + [new], "2019-10-24", "2019-10-27")
        cov_days = ["2019-10-24", "2019-10-27"]
        # days 25-26 were not fetched: the whole range is refused, naming what is held
        with pytest.raises(ValueError, match=r"does not hold 2019-10-25\.\.2019-10-26 .*"
                                             r"holds 2019-10-24\.\.2019-10-24, 2019-10-27"):
            local_cube(data_dir, "2019-10-24", "2019-10-27")
        got_cube = pd.concat([local_cube(data_dir, d, d) for d in cov_days], ignore_index=True)
        want = cube[cube.date.dt.strftime("%Y-%m-%d").isin(cov_days)]
        assert_same(got_cube, want)


def test_translingual_stream_is_merged_with_product_v2_all(tmp_path, data_dir):
    m, names = build_mirror(tmp_path / "mirror")
    rng = np.random.default_rng(3)
    tr = [m.add_v2(st, _rows_for(st, 50_000 + 1000 * k, rng), translation=True)
          for k, st in enumerate([f"{DAY1}000000", f"{DAY1}031500", f"{DAY2}201500"])]
    # outside the range: the translingual list reaches past it, as GDELT's does
    m.add_v2("20191026000000", _rows_for("20191026000000", 60_000, rng), translation=True)
    m.write_index()
    with MirrorServer(m) as srv:
        rep = fetch_events("2019-10-24", "2019-10-25", product="v2-all", base_url=srv.url,
                           data_dir=data_dir, policy=FAST, progress=False)
        assert rep.downloaded == len(names) + len(tr)
        assert "/gdeltv2/masterfilelist-translation.txt" in srv.requests
        assert (data_dir / "gdelt/v2-translation/rows/2019-10.parquet").exists()
        cube, totals = expected(m, names + tr, "2019-10-24", "2019-10-25")
        assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
        assert_same(toolkit.load_daily_totals("2019-10-24", "2019-10-25", source="local",
                                              data_dir=data_dir), totals)


def test_date_basis_dateadded(mirror, data_dir):
    m, names, srv = mirror
    fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                 date_basis="dateadded", policy=FAST, progress=False, keep_files=False)
    assert not list((data_dir / "gdelt").rglob("*.zip"))
    cube, totals = expected(m, names, "2019-10-24", "2019-10-25", basis="dateadded")
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    assert_same(toolkit.load_daily_totals("2019-10-24", "2019-10-25", source="local",
                                          data_dir=data_dir), totals)
    # switching the basis rebuilds the cube from what is stored, without downloads
    srv.requests.clear()
    fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                 date_basis="sqldate", policy=FAST, progress=False)
    assert srv.requests == []
    cube, totals = expected(m, names, "2019-10-24", "2019-10-25", basis="sqldate")
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)


def test_gdelt1_daily_files_with_a_gap(tmp_path, data_dir, reference_dir):
    m = Mirror(tmp_path / "mirror")
    raw = (reference_dir / "gdelt1-events-sample-rows.tsv").read_bytes().splitlines(True)
    daily = b"".join(ln for ln in raw if ln.count(b"\t") == 57)
    # the real rows were published on 2016-07-28; serve them as that day's file
    m.add_v1("20160728", daily)
    rows = [make_row(1, 20160729, 20160729, "RUS", "KOR", v1=True),
            make_row(2, 20160729, 20160729, "KOR", "PRK", root="13", quad=3, v1=True),
            make_row(3, 20160729, 20160729, "USA", "RUS", action_geo="RS", v1=True)]
    m.add_v1("20160729", rows)
    with MirrorServer(m) as srv:
        acts = ("RUS", "KOR", "PRK", "USA", "CAN")
        rep = fetch_events("2016-07-28", "2016-07-30", product="v1", actors=acts,
                           base_url=srv.url, data_dir=data_dir, policy=FAST, progress=False)
        assert rep.missing == ["20160730.export.CSV.zip"] and rep.downloaded == 2
        cube, totals = expected(m, None, "2016-07-28", "2016-07-30", actors=acts)
        assert cube.source.eq("USA").any() and cube.source.eq("KOR").any()
        assert_same(local_cube(data_dir, "2016-07-28", "2016-07-30"), cube)
        assert_same(toolkit.load_daily_totals("2016-07-28", "2016-07-30", source="local",
                                              data_dir=data_dir), totals)
        with pytest.raises(ValueError, match="products are not mixed"):
            fetch_events("2019-10-24", "2019-10-24", product="v2", base_url=srv.url,
                         data_dir=data_dir, progress=False)


def test_gdelt1_file_on_disk_with_a_bad_crc_is_fetched_again(tmp_path, data_dir):
    """GDELT 1.0 has no md5: a zip left on disk is trusted only if its CRC-32 holds."""
    m = Mirror(tmp_path / "mirror")
    m.add_v1("20160729", [make_row(i, 20160729, 20160729, "RUS", "KOR", v1=True)
                          for i in range(1, 40)])
    with MirrorServer(m) as srv:
        fetch_events("2016-07-29", "2016-07-29", product="v1", base_url=srv.url,
                     data_dir=data_dir, policy=FAST, progress=False)
        # as if killed after the download, before its rows were stored: the zip is on disk,
        # the manifest does not list it, and one byte of it has since flipped
        for f in data_dir.rglob("manifest/*.json"):
            f.unlink()
        (zp,) = data_dir.rglob("20160729.export.CSV.zip")
        blob = bytearray(zp.read_bytes())
        blob[60] ^= 0xFF
        zp.write_bytes(bytes(blob))
        srv.requests.clear()
        rep = fetch_events("2016-07-29", "2016-07-29", product="v1", base_url=srv.url,
                           data_dir=data_dir, policy=FAST, progress=False)
        assert rep.ok and rep.downloaded == 1 and rep.present == 0
        cube, totals = expected(m, None, "2016-07-29", "2016-07-29")
        assert_same(local_cube(data_dir, "2016-07-29", "2016-07-29"), cube)
        # an intact zip on disk is used as it is
        for f in data_dir.rglob("manifest/*.json"):
            f.unlink()
        srv.requests.clear()
        rep = fetch_events("2016-07-29", "2016-07-29", product="v1", base_url=srv.url,
                           data_dir=data_dir, policy=FAST, progress=False)
        assert rep.ok and rep.downloaded == 0 and rep.present == 1 and not srv.data_requests()
        assert_same(local_cube(data_dir, "2016-07-29", "2016-07-29"), cube)


def test_recent_days_and_fresh_gaps_are_not_marked_complete(tmp_path, data_dir):
    """Today's file is not published yet (404): a fresh gap, retried next run, and today
    stays out of the coverage so that source="auto" never takes it for a finished day."""
    now = pd.Timestamp.now(tz="UTC").tz_localize(None)
    today = now.normalize()
    days = [today - pd.Timedelta(days=k) for k in (3, 2)]
    m = Mirror(tmp_path / "mirror")
    for i, d in enumerate(days):
        m.add_v1(f"{d:%Y%m%d}", [make_row(i + 1, int(f"{d:%Y%m%d}"), int(f"{d:%Y%m%d}"),
                                          "RUS", "PRK", v1=True)])
    with MirrorServer(m) as srv:
        rep = fetch_events(days[0], today, product="v1", base_url=srv.url, data_dir=data_dir,
                           policy=FAST, progress=False)
        assert rep.downloaded == 2 and len(rep.missing) == 2  # yesterday and today: 404
        cov = toolkit.store.coverage(data_dir=data_dir)
        assert cov == [{"start": f"{days[0]:%Y-%m-%d}", "end": f"{days[1]:%Y-%m-%d}"}]
        srv.requests.clear()
        fetch_events(days[0], today, product="v1", base_url=srv.url, data_dir=data_dir,
                     policy=FAST, progress=False)
        # the young gaps are asked for again, the ingested days are not
        assert sorted(srv.data_requests()) == sorted(
            f"/events/{d:%Y%m%d}.export.CSV.zip" for d in (today - pd.Timedelta(days=1),
                                                           today))
        cube = local_cube(data_dir, days[0], days[1])
        assert cube.events.sum() == 2 and set(cube.source) == {"RUS"}


@pytest.mark.parametrize("kwargs, match", [
    ({"product": "v3"}, "Unknown product 'v3'; choose one of: v2"),
    ({"actors": "RUS,RS"}, "FIPS geo code of RUS"),
    ({"actors": "XYZ"}, "Unknown actor code 'XYZ'"),
    ({"start": "2019-10-26", "end": "2019-10-24"}, "is after end"),
    ({"start": "2015-02-17", "end": "2015-02-20"}, "before the first v2 file"),
    ({"product": "v1", "start": "2013-03-31", "end": "2013-04-02"}, "before the first v1"),
    ({"end": "2999-01-01"}, "in the future"),
    ({"date_basis": "published"}, "Unknown date_basis"),
    ({"workers": 0}, "workers must be"),
    ({"start": "24/10/2019"}, "is not a date"),
])
def test_bad_input_is_refused_before_any_request(mirror, data_dir, kwargs, match):
    m, names, srv = mirror
    args = {"start": "2019-10-24", "end": "2019-10-25", **kwargs}
    start, end = args.pop("start"), args.pop("end")
    with pytest.raises(ValueError, match=match):
        fetch_events(start, end, base_url=srv.url, data_dir=data_dir, progress=False, **args)
    assert srv.requests == []


def test_cli_fetch_events(mirror, data_dir, capsys, monkeypatch):
    m, names, srv = mirror
    monkeypatch.setenv("GDELT_BASE_URL", srv.url)  # the environment variable is honoured
    code = cli_main(["fetch", "events", "--start", "2019-10-24", "--end", "2019-10-25",
                     "--actors", "RUS,KOR,PRK", "--data-dir", str(data_dir), "--workers", "2",
                     "--no-progress", "--backoff", "0.01"])
    out = capsys.readouterr().out
    assert code == 0 and f"{len(names)} downloaded" in out and "3 malformed" in out
    cube, _ = expected(m, names, "2019-10-24", "2019-10-25")
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    code = cli_main(["fetch", "events", "--start", "2019-10-24", "--end", "2019-10-25",
                     "--product", "v9", "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert code == 2 and "Unknown product 'v9'" in err and len(err.strip().splitlines()) == 1


_CHILD = """
import sys
from toolkit.sources.events import fetch_events
from toolkit.sources.events.download import RetryPolicy
fetch_events("2019-10-24", "2019-10-25", base_url=sys.argv[1], data_dir=sys.argv[2],
             workers=int(sys.argv[3]), progress=False,
             policy=RetryPolicy(attempts=3, backoff=0.01, timeout=float(sys.argv[4])))
"""


def _child(url, ddir, workers=1, timeout=60.0):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", _CHILD, url, str(ddir), str(workers),
                             str(timeout)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_run_killed_mid_download_then_rerun_gives_the_same_cube(mirror, data_dir):
    m, names, srv = mirror
    srv.fault(names[3], ("hang", 60))  # the 4th file stalls half-way through its body
    proc = _child(srv.url, data_dir, workers=1)
    deadline = time.monotonic() + 60
    while f"/gdeltv2/{names[3]}" not in srv.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert proc.poll() is None, proc.communicate()
    proc.terminate()  # SIGTERM mid-download
    proc.wait(timeout=30)
    assert list(data_dir.rglob("*.part")), "the killed download should leave a temp file"
    srv.faults.clear()
    srv.requests.clear()
    rep = fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                       policy=FAST, progress=False)
    assert rep.ok and not list(data_dir.rglob("*.part"))
    # the three files finished before the kill were not downloaded again (verified zips on
    # disk, or already stored)
    assert rep.already_ingested + rep.present == 3 and rep.downloaded == len(names) - 3
    assert len(srv.data_requests()) == len(names) - 3
    cube, totals = expected(m, names, "2019-10-24", "2019-10-25")
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    assert_same(toolkit.load_daily_totals("2019-10-24", "2019-10-25", source="local",
                                          data_dir=data_dir), totals)


@pytest.mark.parametrize("stop_after", [2, 5])
def test_interrupted_run_stores_what_it_finished_and_rerun_gives_the_same_cube(
        mirror, data_dir, monkeypatch, stop_after):
    """Ctrl-C in a notebook: files parsed so far are stored with their rows, never as
    'ingested' without them, and the rerun completes the same cube."""
    m, names, srv = mirror
    with ctrl_c_after(monkeypatch, stop_after), pytest.raises(KeyboardInterrupt):
        fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                     policy=FAST, progress=False, workers=1)
    manifest = {n: e for f in data_dir.rglob("manifest/*.json")
                for n, e in json.loads(f.read_text())["files"].items()}
    stored = [n for n, e in manifest.items() if e["status"] == "ingested"]
    assert 0 < len(stored) < len(names)
    rep = fetch_events("2019-10-24", "2019-10-25", base_url=srv.url, data_dir=data_dir,
                       policy=FAST, progress=False)
    assert rep.ok and rep.already_ingested == len(stored)
    cube, totals = expected(m, names, "2019-10-24", "2019-10-25")
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    assert_same(toolkit.load_daily_totals("2019-10-24", "2019-10-25", source="local",
                                          data_dir=data_dir), totals)


@pytest.mark.slow
def test_two_concurrent_runs_on_one_cache_do_not_corrupt_it(mirror, data_dir):
    m, names, srv = mirror
    for n in names:
        srv.fault(n, ("slow", 0.2))
    procs = [_child(srv.url, data_dir, workers=2) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    # the second run waited for the lock, then found everything ingested
    assert len(srv.data_requests()) == len(names)
    cube, totals = expected(m, names, "2019-10-24", "2019-10-25")
    assert_same(local_cube(data_dir, "2019-10-24", "2019-10-25"), cube)
    assert_same(toolkit.load_daily_totals("2019-10-24", "2019-10-25", source="local",
                                          data_dir=data_dir), totals)
