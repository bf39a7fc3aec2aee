"""Benchmark: the events of one dyad-month from a year of stored rows, vs pandas whole files.

A year (2024) of stored kept rows is written as the events pipeline stores them
(``gdelt/v2/rows/YYYY-MM.parquet``: the 61 GDELT 2.0 columns + ``source_file``, zstd,
de-duplicated on GLOBALEVENTID), :data:`ROWS_PER_DAY` rows a day among RUS, KOR and PRK with
realistic content (names, URLs, geo fields), 15 % of events coded with an older SQLDATE (as
GDELT does) and a few GLOBALEVENTIDs repeated across months.

Measured in the same run, on the same files (best of three, interleaved):

* toolkit — ``toolkit.load_events("2024-06-01", "2024-06-30", dyads="RUS→KOR",
  source="local")``: DuckDB over the Parquet files with column and predicate pushdown, then
  the cube's de-duplication;
* common approach — ``pandas.read_parquet`` of every month file whole, concatenated, then the
  same filter and de-duplication in pandas.

Both must return the same GLOBALEVENTIDs. Target: toolkit >= 5x faster.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from benchmarks import best_of

ROWS_PER_DAY = 2_500
YEAR = 2024
START, END, DYAD = "2024-06-01", "2024-06-30", "RUS→KOR"
SEED = 20260221
_ACT = np.array(["RUS", "KOR", "PRK"])
_NAMES = {"RUS": "RUSSIA", "KOR": "SOUTH KOREA", "PRK": "NORTH KOREA"}
_TYPES = np.array(["", "GOV", "MIL", "BUS", "MED", "CVL", "LEG"])
_DOMAINS = np.array(["tass.com", "yna.co.kr", "kcna.kp", "reuters.com", "nknews.org",
                     "koreaherald.com", "ria.ru", "apnews.com"])


def _month_rows(month: pd.Timestamp, rng: np.random.Generator, gid0: int) -> pa.Table:
    from toolkit.sources.events.parse import KEPT_SCHEMA

    days = pd.date_range(month, month + pd.offsets.MonthEnd(0), freq="D")
    n = ROWS_PER_DAY * len(days)
    added_day = np.repeat(days.to_numpy(), ROWS_PER_DAY)
    back = np.where(rng.random(n) < 0.15, rng.integers(1, 40, n), 0)
    ev_day = pd.DatetimeIndex(added_day) - pd.to_timedelta(back, unit="D")
    i1 = rng.integers(0, 3, n)
    i2 = (i1 + rng.integers(1, 3, n)) % 3
    a1, a2 = _ACT[i1], _ACT[i2]
    root = rng.integers(1, 21, n)
    code = np.char.add(np.char.zfill(root.astype(str), 2), rng.integers(0, 10, n).astype(str))
    quad = np.where(root <= 5, 1, np.where(root <= 8, 2, np.where(root <= 13, 3, 4)))
    arts = rng.integers(1, 60, n)
    minute = rng.integers(0, 96, n) * 15
    added = (pd.DatetimeIndex(added_day) + pd.to_timedelta(minute, unit="min"))
    gid = gid0 + np.arange(n, dtype=np.int64)
    dup = rng.random(n) < 0.002  # GDELT re-reports a few events: same id, later batch
    gid[dup] = np.maximum(gid0 - 1 - rng.integers(0, 50_000, dup.sum()), 1)
    t1, t2 = _TYPES[rng.integers(0, len(_TYPES), n)], _TYPES[rng.integers(0, len(_TYPES), n)]
    cols: dict[str, object] = {}
    for f in KEPT_SCHEMA:
        name = f.name
        if pa.types.is_string(f.type):
            cols[name] = pa.nulls(n, pa.string())
        elif pa.types.is_integer(f.type):
            cols[name] = pa.array(np.zeros(n, np.int64))
        else:
            cols[name] = pa.array(rng.normal(0, 1, n))
    sqldate = ev_day.strftime("%Y%m%d").astype(int).to_numpy()
    doms = _DOMAINS[rng.integers(0, len(_DOMAINS), n)]
    cols.update({
        "GLOBALEVENTID": pa.array(gid), "SQLDATE": pa.array(sqldate),
        "MonthYear": pa.array(sqldate // 100), "Year": pa.array(sqldate // 10000),
        "Actor1Code": pa.array(np.char.add(a1, t1)), "Actor2Code": pa.array(np.char.add(a2, t2)),
        "Actor1Name": pa.array([_NAMES[a] for a in a1]),
        "Actor2Name": pa.array([_NAMES[a] for a in a2]),
        "Actor1CountryCode": pa.array(a1), "Actor2CountryCode": pa.array(a2),
        "Actor1Type1Code": pa.array(t1), "Actor2Type1Code": pa.array(t2),
        "IsRootEvent": pa.array(rng.integers(0, 2, n)),
        "EventCode": pa.array(code), "EventBaseCode": pa.array(code),
        "EventRootCode": pa.array(np.char.zfill(root.astype(str), 2)),
        "QuadClass": pa.array(quad.astype(np.int64)),
        "GoldsteinScale": pa.array(np.round(rng.uniform(-10, 10, n), 1)),
        "NumMentions": pa.array(arts + rng.integers(0, 20, n)),
        "NumSources": pa.array(np.maximum(1, arts // 2)), "NumArticles": pa.array(arts),
        "AvgTone": pa.array(rng.normal(-2, 3, n)),
        "ActionGeo_FullName": pa.array(np.where(rng.random(n) < 0.5, "Moscow, Moskva, Russia",
                                                "Seoul, Soul-t'ukpyolsi, South Korea")),
        "ActionGeo_CountryCode": pa.array(np.where(rng.random(n) < 0.5, "RS", "KS")),
        "Actor1Geo_FullName": pa.array(np.where(a1 == "RUS", "Moscow, Moskva, Russia",
                                                "Seoul, Soul-t'ukpyolsi, South Korea")),
        "DATEADDED": pa.array(added.strftime("%Y%m%d%H%M%S").astype(np.int64).to_numpy()),
        "SOURCEURL": pa.array([f"https://www.{d}/news/{g}-{d.split('.')[0]}-story-about-"
                               f"relations" for d, g in zip(doms, gid, strict=True)]),
        "source_file": pa.array(added.strftime("%Y%m%d%H%M%S.export.CSV.zip")),
    })
    return pa.table({f.name: cols[f.name] for f in KEPT_SCHEMA}, schema=KEPT_SCHEMA)


def build(root: Path) -> dict:
    """Write a year of stored rows, the state and the coverage under ``root``."""
    from toolkit import store
    from toolkit.sources.events import cache as C

    rng = np.random.default_rng(SEED)
    rows, size, gid = 0, 0, 800_000_000
    for m in pd.date_range(f"{YEAR}-01-01", f"{YEAR}-12-01", freq="MS"):
        t = C.dedup_rows(_month_rows(m, rng, gid))
        gid += t.num_rows + 100_000
        p = C.stream_dir(root, "v2") / "rows" / f"{m:%Y-%m}.parquet"
        C._write_parquet(t, p)
        rows += t.num_rows
        size += p.stat().st_size
    C.write_state(root, {"product": "v2", "actors": ["RUS", "KOR", "PRK"],
                         "date_basis": "sqldate"})
    store.add_coverage(f"{YEAR}-01-01", f"{YEAR}-12-31", store="local", data_dir=root)
    return {"rows_stored": rows, "files": 12, "bytes_stored": size}


def pandas_whole_files(root: Path) -> pd.DataFrame:
    """The common approach: read every month file whole, then filter and de-duplicate."""
    from toolkit import aggregate as A

    files = sorted((root / "gdelt" / "v2" / "rows").glob("*.parquet"))
    df = pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)
    acts = ["RUS", "KOR", "PRK"]
    df = df[df["Actor1CountryCode"].isin(acts) & df["Actor2CountryCode"].isin(acts)
            & (df["Actor1CountryCode"] != df["Actor2CountryCode"])]
    order = ["GLOBALEVENTID", "DATEADDED"] + [c for c in A.INPUT_COLUMNS
                                              if c not in ("GLOBALEVENTID", "DATEADDED")]
    df = df.sort_values(order, na_position="first").drop_duplicates("GLOBALEVENTID")
    s, e = int(START.replace("-", "")), int(END.replace("-", ""))
    df = df[(df["SQLDATE"] >= s) & (df["SQLDATE"] <= e) & (df["Actor1CountryCode"] == "RUS")
            & (df["Actor2CountryCode"] == "KOR")]
    return df.sort_values(["NumArticles", "GLOBALEVENTID"], ascending=[False, True])


def main() -> dict:
    import toolkit

    root = Path(tempfile.mkdtemp(prefix="bench-load-events-"))
    try:
        info = build(root)

        def ours():
            return toolkit.load_events(START, END, dyads=DYAD, source="local", data_dir=root)

        ev, base = ours(), pandas_whole_files(root)  # warm-up, and the results compared
        same = ev["GLOBALEVENTID"].tolist() == base["GLOBALEVENTID"].tolist()
        t_ours, t_pandas = float("inf"), float("inf")
        for _ in range(3):
            t_ours = min(t_ours, best_of(ours, 1))
            t_pandas = min(t_pandas, best_of(lambda: pandas_whole_files(root), 1))
        ratio = t_pandas / t_ours
        print(f"{info['rows_stored']:,} stored rows in 12 files ({info['bytes_stored'] / 1e6:.1f}"
              f" MB); {DYAD} {START}..{END}: {len(ev):,} events; load_events {t_ours:.3f} s, "
              f"pandas whole files {t_pandas:.3f} s: {ratio:.1f}x (target >= 5x); same events: "
              f"{same}")
        return {**info, "events": len(ev), "load_events_s": round(t_ours, 4),
                "pandas_whole_files_s": round(t_pandas, 4), "speedup": round(ratio, 2),
                "target": 5.0, "meets_target": ratio >= 5.0, "same_events": same}
    finally:
        shutil.rmtree(root, ignore_errors=True)
