"""Benchmark: GDELT events ingest (zip -> parse -> filter -> parquet + cube) vs two baselines.

Generated GDELT 2.0 export files of realistic size (2,000–3,000 rows per 15-minute file, 61
tab-separated columns with realistic content: names, FIPS geo fields, coordinates, URLs; actor
country codes drawn with GDELT-like frequencies, so only a few rows per file are events between
RUS, KOR and PRK), 96 per day, placed in a cache directory as verified downloads with a matching
``masterfilelist.txt``. No HTTP: :func:`toolkit.fetch_events` finds the files on disk, checks
their md5 against the index, parses them, stores the kept rows and per-file totals, and builds
the cube through the shared SQL.

Measured in the same run, on the same zips:

* floor — only decompressing every zip with :mod:`zipfile` (sequentially, and with the same
  number of threads as the ingest, for transparency);
* common approach — ``pandas.read_csv`` of each zip (all columns as read by default) then
  filtering the actor pair and counting the daily totals (timed on one day of files per round
  and scaled to all files, to keep ``make bench`` short);
* ingest — ``fetch_events`` end to end (``workers`` threads, and with 1 worker).

The timed ingests follow a warm-up ingest, as a notebook session would: what a new session
pays once before its first parse (importing numba, compiling the tokenizer or loading it from
the on-disk cache) is measured separately in fresh subprocesses (``tokenizer_cold_start``).

Each measurement is repeated twice, interleaved, and the best wall time kept (the machine is
shared); CPU time (summed over threads) is reported beside it.

Targets: ingest <= 1.5x the (sequential) floor; >= 8x faster than pandas; peak memory of a
3-day ingest not above the 1-day one (each measured in a fresh subprocess: peak RSS via
``resource`` and the Python-heap peak via ``tracemalloc``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

DAYS = ("2024-06-10", "2024-06-11", "2024-06-12")
WORKERS = 4
SEED = 20240610

_COUNTRIES = np.array(["", "USA", "GBR", "CHN", "RUS", "IND", "FRA", "DEU", "ISR", "UKR",
                       "JPN", "AUS", "CAN", "IRN", "TUR", "PAK", "KOR", "NGA", "PRK", "BRA"])
_P = np.array([40, 18, 4, 4, 3.2, 3, 2.5, 2.2, 2.5, 2.4, 1.6, 1.8, 2, 1.5, 1.4, 1.2, 0.9, 1.0,
               0.4, 1.0])
_P = _P / _P.sum()
_NAMES = {"": "", "USA": "UNITED STATES", "GBR": "UNITED KINGDOM", "CHN": "CHINA",
          "RUS": "RUSSIA", "IND": "INDIA", "FRA": "FRANCE", "DEU": "GERMANY", "ISR": "ISRAEL",
          "UKR": "UKRAINE", "JPN": "JAPAN", "AUS": "AUSTRALIA", "CAN": "CANADA", "IRN": "IRAN",
          "TUR": "TURKEY", "PAK": "PAKISTAN", "KOR": "SOUTH KOREA", "NGA": "NIGERIA",
          "PRK": "NORTH KOREA", "BRA": "BRAZIL"}
_TYPES = np.array(["", "", "GOV", "MIL", "BUS", "MED", "CVL", "COP", "EDU", "LEG"])
_PLACES = [("1", "Russia", "RS", "RS", "60", "100", "RS"),
           ("4", "Moscow, Moskva, Russia", "RS", "RS48", "55.7522", "37.6156", "-2960561"),
           ("4", "Seoul, Seoul-t'ukpyolsi, South Korea", "KS", "KS11", "37.5664", "127",
            "-716583"),
           ("4", "Pyongyang, P'yongyang-si, North Korea", "KN", "KN12", "39.0194", "125.755",
            "-1228624"),
           ("3", "Washington, District of Columbia, United States", "US", "USDC", "38.8951",
            "-77.0364", "531871"),
           ("1", "United Kingdom", "UK", "UK", "54", "-2", "UK"),
           ("4", "Beijing, Beijing, China", "CH", "CH22", "39.9289", "116.388", "-1898541"),
           ("4", "Kyiv, Kyyivs'ka Oblast', Ukraine", "UP", "UP12", "50.4333", "30.5167",
            "-1044367"),
           ("0", "", "", "", "", "", "")]
_WORDS = np.array(["minister", "talks", "summit", "sanctions", "missile", "trade", "border",
                   "election", "police", "court", "protest", "deal", "visit", "military",
                   "economy", "energy", "security", "report", "crisis", "leader"])


def _middles(rng: np.random.Generator, n: int) -> list[str]:
    """Fields 6-59 (Actor1Code .. ActionGeo_FeatureID) of ``n`` realistic events."""
    a1 = rng.choice(_COUNTRIES, n, p=_P)
    a2 = rng.choice(_COUNTRIES, n, p=_P)
    t1 = rng.choice(_TYPES, n)
    t2 = rng.choice(_TYPES, n)
    root = rng.integers(1, 21, n)
    sub = rng.integers(0, 10, n)
    quad = np.select([root <= 5, root <= 8, root <= 13], [1, 2, 3], 4)
    gold = np.round(rng.uniform(-10, 10, n), 1)
    ment = rng.integers(1, 30, n)
    srcs = np.minimum(ment, rng.integers(1, 5, n))
    arts = np.minimum(ment, rng.integers(1, 20, n))
    tone = rng.normal(-2.5, 3.5, n)
    place = rng.integers(0, len(_PLACES), (n, 3))
    out = []
    for i in range(n):
        c1, c2 = a1[i], a2[i]
        code1 = (c1 + t1[i]) if c1 else t1[i]
        code2 = (c2 + t2[i]) if c2 else t2[i]
        geo = []
        for k in range(3):
            ty, full, cc, adm1, lat, lon, fid = _PLACES[place[i, k]]
            geo.append(f"{ty}\t{full}\t{cc}\t{adm1}\t\t{lat}\t{lon}\t{fid}")
        ev = f"{root[i]:02d}{sub[i]}"
        out.append(
            f"{code1}\t{_NAMES[c1]}\t{c1}\t\t\t\t\t{t1[i]}\t\t\t"
            f"{code2}\t{_NAMES[c2]}\t{c2}\t\t\t\t\t{t2[i]}\t\t\t"
            f"{int(i % 3 == 0)}\t{ev}\t{ev}\t{root[i]:02d}\t{quad[i]}\t{gold[i]}\t{ment[i]}\t"
            f"{srcs[i]}\t{arts[i]}\t{tone[i]:.13f}\t{geo[0]}\t{geo[1]}\t{geo[2]}")
    return out


def _file_text(rng: np.random.Generator, pool: list[str], stamp: str, gid0: int,
               n: int) -> bytes:
    """One realistic GDELT 2.0 export (``n`` rows drawn from a pool of event middles)."""
    day = int(stamp[:8])
    old = int((pd.Timestamp(stamp[:8]) - pd.Timedelta(days=7)).strftime("%Y%m%d"))
    sqld = np.where(rng.random(n) < 0.9, day, old).tolist()
    pick = rng.integers(0, len(pool), n).tolist()
    w = rng.integers(0, len(_WORDS), (n, 3)).tolist()
    site = f"/{stamp[:4]}/{stamp[4:6]}/"
    lines = [
        f"{gid0 + i}\t{d}\t{d // 100}\t{d // 10000}\t{d // 10000}.4411\t{pool[p]}\t{stamp}\t"
        f"https://www.{_WORDS[a]}-news.com{site}{_WORDS[b]}-{_WORDS[c]}-{gid0 + i}.html\n"
        for i, (d, p, (a, b, c)) in enumerate(zip(sqld, pick, w, strict=True))]
    return "".join(lines).encode()


def make_files(folder: Path, days=DAYS, seed: int = SEED) -> list[Path]:
    """Write 96 zipped exports per day into ``folder``; returns their paths."""
    rng = np.random.default_rng(seed)
    pool = _middles(rng, 30_000)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    gid = 1_150_000_000
    for day in days:
        for t in pd.date_range(day, periods=96, freq="15min"):
            stamp = f"{t:%Y%m%d%H%M%S}"
            n = int(rng.integers(2000, 3001))
            data = _file_text(rng, pool, stamp, gid, n)
            gid += n
            p = folder / f"{stamp}.export.CSV.zip"
            with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(p.name[:-4], data)
            paths.append(p)
    return paths


def stage_cache(ddir: Path, zips: list[Path]) -> None:
    """Lay the zips out as verified downloads in a cache dir, with GDELT's index format."""
    idx = []
    for p in zips:
        b = p.read_bytes()
        dest = ddir / "gdelt" / "v2" / "files" / f"{p.name[:4]}-{p.name[4:6]}" / p.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, dest)
        idx.append(f"{len(b)} {hashlib.md5(b).hexdigest()} "
                   f"http://data.gdeltproject.org/gdeltv2/{p.name}")
    (ddir / "gdelt" / "v2" / "index.txt").write_text("\n".join(idx) + "\n")
    # the cached list is trusted only for the server it came from (_ingest's base URL)
    (ddir / "gdelt" / "v2" / "index.source").write_text(_BASE)


#: No server: every file is on disk, verified, and listed in the cached master list.
_BASE = "http://127.0.0.1:9"


def _floor(zips, workers: int = 1) -> float:
    def one(p):
        with zipfile.ZipFile(p) as zf:
            return len(zf.read(zf.namelist()[0]))

    t0 = time.perf_counter()
    if workers == 1:
        for p in zips:
            one(p)
    else:
        with ThreadPoolExecutor(workers) as ex:
            list(ex.map(one, zips))
    return time.perf_counter() - t0


def _pandas(zips, actors=("RUS", "KOR", "PRK")) -> tuple[float, int]:
    from toolkit.sources.events.index import V2_COLUMNS

    names = [n for n, _ in V2_COLUMNS]
    t0 = time.perf_counter()
    kept = 0
    for p in zips:
        df = pd.read_csv(p, sep="\t", header=None, names=names,
                         dtype={"EventCode": str, "EventBaseCode": str, "EventRootCode": str})
        df.groupby("SQLDATE").agg(n=("GLOBALEVENTID", "size"), a=("NumArticles", "sum"))
        kept += int((df.Actor1CountryCode.isin(actors) & df.Actor2CountryCode.isin(actors)).sum())
    return time.perf_counter() - t0, kept


def _ingest(ddir: Path, days, workers: int):
    from toolkit.sources.events.fetch import fetch_events

    t0 = time.perf_counter()
    rep = fetch_events(days[0], days[-1], data_dir=ddir, base_url=_BASE,
                       workers=workers, progress=False)
    return time.perf_counter() - t0, rep


def _ingest_warmup(work: Path, zips: list[Path]) -> None:
    ddir = work / "warmup"
    stage_cache(ddir, zips)
    _ingest(ddir, [f"{zips[0].name[:4]}-{zips[0].name[4:6]}-{zips[0].name[6:8]}"], 1)
    shutil.rmtree(ddir)


_CHILD = """
import json, resource, sys, time, tracemalloc
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from benchmarks.bench_events import _ingest
import duckdb, sqlglot, toolkit.sources.events  # imports before measuring
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
base = status("VmRSS:")
try:  # reset the peak-RSS mark so that it measures the ingest, not the imports
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    resettable = True
except OSError:
    resettable = False
tracemalloc.start()
days = sys.argv[2].split(",")
secs, rep = _ingest(Path(sys.argv[1]), days, int(sys.argv[4]))
cur, peak = tracemalloc.get_traced_memory()
hwm = status("VmHWM:") if resettable else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds_with_tracemalloc": secs, "files": rep.present, "rows": rep.rows_read,
                  "rss_peak_mb": hwm, "rss_peak_is_ingest_only": resettable,
                  "rss_after_imports_mb": base, "python_heap_peak_mb": peak / 1e6}))
"""


_COLD = """
import sys, time
import numpy as np
t0 = time.perf_counter()
from toolkit.sources.events.tokenize import tokenize
t1 = time.perf_counter()
tokenize(bytearray(b"a\\tb\\n"), 2, np.array([1]))
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def _cold_start(work: Path) -> dict:
    """Seconds a new session pays before its first parse: importing numba, compiling the
    tokenizer (an empty compile cache), or loading it from the on-disk cache (a warm one)."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(work / "numba-cache")}
    out = {}
    for label in ("empty_cache", "warm_cache"):
        r = subprocess.run([sys.executable, "-c", _COLD], capture_output=True, text=True,
                           check=True, env=env, cwd=Path(__file__).resolve().parents[1])
        imp, first = map(float, r.stdout.split())
        out[label] = {"import_seconds": round(imp, 2), "first_call_seconds": round(first, 2)}
    return out


def _memory(work: Path, zips: list[Path], days) -> dict:
    ddir = work / f"mem-{len(days)}"
    stage_cache(ddir, [z for z in zips if any(z.name.startswith(d.replace("-", ""))
                                              for d in days)])
    out = subprocess.run([sys.executable, "-c", _CHILD, str(ddir), ",".join(days),
                          str(Path(__file__).resolve().parents[1]), str(WORKERS)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-events-"))
    try:
        t0 = time.perf_counter()
        zips = make_files(work / "zips")
        gen = time.perf_counter() - t0
        n = len(zips)
        mb_zip = sum(p.stat().st_size for p in zips) / 1e6
        rows = 0
        mb_raw = 0.0
        for p in zips[:8]:
            with zipfile.ZipFile(p) as zf:
                d = zf.read(zf.namelist()[0])
            mb_raw += len(d) / 1e6
            rows += d.count(b"\n")

        # a notebook pays imports once; warm them (and the SQL transpiler) before timing
        # (one whole day: a file list that stops mid-day covers no day, nothing is ingested)
        _ingest_warmup(work, zips[:96])
        _floor(zips[:20])  # warm the page cache
        # the machine is shared: interleave the measurements, keep each one's best, and
        # record CPU time (summed over threads) beside wall time
        best: dict[str, tuple[float, float]] = {}

        def keep(key: str, wall: float, cpu: float) -> None:
            if key not in best or wall < best[key][0]:
                best[key] = (wall, cpu)

        sample = zips[:96]  # pandas is slow: one day of files per round, scaled to all
        pd_kept = 0
        for rnd in range(2):
            c0 = time.process_time()
            keep("floor", _floor(zips), time.process_time() - c0)
            c0 = time.process_time()
            keep("floor_threads", _floor(zips, WORKERS), time.process_time() - c0)
            for w in (WORKERS, 1):
                ddir = work / f"cache-{w}-{rnd}"
                stage_cache(ddir, zips)
                c0 = time.process_time()
                secs, rep_w = _ingest(ddir, DAYS, w)
                keep(f"ingest{w}", secs, time.process_time() - c0)
                assert rep_w.present == n and not rep_w.failed, rep_w.summary()
                rep = rep_w
                shutil.rmtree(ddir)
            c0 = time.process_time()
            secs, pd_kept = _pandas(sample)
            scale = n / len(sample)
            keep("pandas", secs * scale, (time.process_time() - c0) * scale)
        floor1, floorw = best["floor"][0], best["floor_threads"][0]
        ingest, ingest1, pd_secs = best[f"ingest{WORKERS}"][0], best["ingest1"][0], \
            best["pandas"][0]
        assert pd_kept > 0  # the pandas baseline really filters the same files
        cold = _cold_start(work)
        mem1 = _memory(work, zips, DAYS[:1])
        mem3 = _memory(work, zips, DAYS)
        out = {
            "files": n, "days": len(DAYS), "rows_total": rep.rows_read,
            "rows_per_file_mean": round(rep.rows_read / n),
            "rows_kept_RUS_KOR_PRK": rep.rows_kept,
            "zip_mb_total": round(mb_zip, 1), "unzipped_mb_per_file": round(mb_raw / 8, 2),
            "generate_seconds": round(gen, 1),
            "floor_unzip_seconds_1_thread": round(floor1, 3),
            f"floor_unzip_seconds_{WORKERS}_threads": round(floorw, 3),
            f"ingest_seconds_{WORKERS}_workers": round(ingest, 3),
            "ingest_seconds_1_worker": round(ingest1, 3),
            "pandas_read_csv_seconds": round(pd_secs, 3),
            "pandas_measured_on_files": len(sample),
            "cpu_seconds": {k: round(v[1], 3) for k, v in best.items()},
            "cpu_ratio_ingest_vs_floor": round(best[f"ingest{WORKERS}"][1] / best["floor"][1], 2),
            "cpu_speedup_vs_pandas": round(best["pandas"][1] / best[f"ingest{WORKERS}"][1], 1),
            "ratio_ingest_vs_floor": round(ingest / floor1, 2),
            "ratio_ingest_1_worker_vs_floor": round(ingest1 / floor1, 2),
            f"ratio_ingest_vs_floor_{WORKERS}_threads": round(ingest / floorw, 2),
            "speedup_vs_pandas": round(pd_secs / ingest, 1),
            "speedup_vs_pandas_1_worker": round(pd_secs / ingest1, 1),
            "memory_1_day": mem1, "memory_3_days": mem3,
            "rss_peak_ratio_3_vs_1_day": round(mem3["rss_peak_mb"] / mem1["rss_peak_mb"], 3),
            "python_heap_peak_ratio_3_vs_1_day": round(
                mem3["python_heap_peak_mb"] / mem1["python_heap_peak_mb"], 3),
            "tokenizer_cold_start": cold,
            "cpus": os.cpu_count(),
            "targets": {"ingest_le_1.5x_floor": ingest / floor1 <= 1.5,
                        "ge_8x_faster_than_pandas": pd_secs / ingest >= 8,
                        "memory_flat_3_vs_1_day": mem3["rss_peak_mb"]
                        <= 1.1 * mem1["rss_peak_mb"]},
            "notes": "ingest includes md5 verification of every zip against the index, the "
                     "manifest/parquet writes and the cube build; the floor is decompression "
                     "only. The timed runs follow a warm-up ingest, as in a notebook session: "
                     "the one-off cost of a new session (numba import and tokenizer compile "
                     "or cache load) is tokenizer_cold_start. The machine is shared, so "
                     "absolute seconds vary; the ratios come from the same run.",
        }
        print(f"events ingest: {out['ratio_ingest_vs_floor']}x the unzip floor (target <= 1.5), "
              f"{out['speedup_vs_pandas']}x faster than pandas.read_csv (target >= 8); in CPU "
              f"time {out['cpu_ratio_ingest_vs_floor']}x and {out['cpu_speedup_vs_pandas']}x; "
              f"peak RSS 3 days / 1 day = {out['rss_peak_ratio_3_vs_1_day']}; first parse in a "
              f"new session: +{cold['empty_cache']['first_call_seconds']} s compile "
              f"(+{cold['warm_cache']['first_call_seconds']} s from the disk cache)")
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
