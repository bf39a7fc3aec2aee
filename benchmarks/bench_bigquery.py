"""BigQuery cost model: what the cube's pruned query scans versus ``SELECT *`` (ESTIMATES).

No account and no network: BigQuery bills the logical bytes of every referenced column over
every row of the scanned partitions (INT64/FLOAT64 8 bytes, STRING 2 + UTF-8 length, NULL 0).
This benchmark

1. measures average bytes per row and column on a real GDELT 2.0 export
   (``../shared/reference/gdelt2-events-20191024143000.export.CSV`` when present; otherwise the
   committed :data:`toolkit.sources.bigquery.sizes.MODEL_BYTES_PER_ROW`, measured on that file);
2. prices the cube query, the daily-totals query and ``SELECT *`` over the same partitions for
   one month, one year and the full GDELT 2.0 history, at an ASSUMED
   :data:`~toolkit.sources.bigquery.sizes.MODEL_ROWS_PER_DAY` rows/day and US$ 6.25/TiB;
3. times the cube's one SQL definition run locally in DuckDB against a pandas groupby
   baseline on the same synthetic rows (ratio, same process).

Every byte and dollar figure here is a MODEL estimate; a dry run (``toolkit bigquery estimate``)
gives BigQuery's own number.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import best_of
from toolkit import aggregate as A
from toolkit import schema as S
from toolkit.sources.bigquery import fetch as B
from toolkit.sources.bigquery import sizes as Z

REFERENCE = (Path(__file__).resolve().parents[2] / "shared" / "reference"
             / "gdelt2-events-20191024143000.export.CSV")
RANGES = {"1 month (2024-01)": ("2024-01-01", "2024-01-31"),
          "1 year (2024)": ("2024-01-01", "2024-12-31"),
          "full history (2015-02-18..2026-10-31)": ("2015-02-18", "2026-10-31")}


def _measured_bytes_per_row() -> tuple[dict[str, float], str]:
    if not REFERENCE.exists():
        return dict(Z.MODEL_BYTES_PER_ROW), "committed model (reference file absent)"
    df = pd.read_csv(REFERENCE, sep="\t", header=None, names=list(Z.GDELT2_COLUMNS), dtype=str,
                     keep_default_na=False, quoting=3)
    for c, t in Z.GDELT2_TYPES.items():
        if t != "STRING":
            df[c] = pd.to_numeric(df[c].replace("", None))
    return Z.bytes_per_row(df), f"measured on {REFERENCE.name} ({len(df):,} rows)"


def _synthetic_events(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = np.array(["RUS", "KOR", "PRK", "USA", "CHN", "", "UKR", "JPN"])
    types = np.array(["", "", "GOV", "MIL", "MED", "BUS"])  # the speaker: part of the cube key
    days = rng.integers(1, 29, n)
    roots = np.array([f"{r:02d}" for r in range(1, 21)])
    root = roots[rng.integers(0, 20, n)]
    return pd.DataFrame({
        "GLOBALEVENTID": rng.permutation(n) + 10**9,
        "SQLDATE": 20240200 + days,
        "DATEADDED": (20240200 + days) * 1_000_000 + 120000,
        "Actor1CountryCode": codes[rng.integers(0, len(codes), n)],
        "Actor1Type1Code": types[rng.integers(0, len(types), n)],
        "Actor2CountryCode": codes[rng.integers(0, len(codes), n)],
        "IsRootEvent": rng.integers(0, 2, n),
        "EventRootCode": root,
        "QuadClass": np.select([root <= "05", root <= "08", root <= "13"], [1, 2, 3], 4),
        "GoldsteinScale": rng.normal(0, 5, n).round(1),
        "NumMentions": rng.integers(1, 30, n),
        "NumSources": rng.integers(1, 5, n),
        "NumArticles": rng.integers(1, 20, n),
        "AvgTone": rng.normal(-2, 3, n),
    })


def _pandas_cube(ev: pd.DataFrame, actors=("RUS", "KOR", "PRK")) -> pd.DataFrame:
    a1, a2 = ev["Actor1CountryCode"], ev["Actor2CountryCode"]
    d = ev[a1.isin(actors) & a2.isin(actors) & (a1 != a2)]
    d = d.sort_values(["GLOBALEVENTID", "DATEADDED"]).drop_duplicates("GLOBALEVENTID")
    d = d.assign(date=pd.to_datetime(d["SQLDATE"].astype(str), format="%Y%m%d"),
                 r=(d["IsRootEvent"] == 1).astype(int), gxa=d["GoldsteinScale"] * d["NumArticles"],
                 txa=d["AvgTone"] * d["NumArticles"])
    return d.groupby(["date", "Actor1CountryCode", "Actor1Type1Code", "Actor2CountryCode",
                      "EventRootCode", "QuadClass"]).agg(events=("r", "size"),
                                                         root_events=("r", "sum"),
                                        articles=("NumArticles", "sum"),
                                        mentions=("NumMentions", "sum"),
                                        sources=("NumSources", "sum"),
                                        goldstein_sum=("GoldsteinScale", "sum"),
                                        goldstein_x_articles=("gxa", "sum"),
                                        tone_x_articles=("txa", "sum")).reset_index()


def main() -> dict:
    per, origin = _measured_bytes_per_row()
    model_drift = max(abs(per[c] - Z.MODEL_BYTES_PER_ROW[c]) for c in per)
    row_bytes = {
        "select_star": round(sum(per.values()), 1),
        "cube_query": round(sum(per[c] for c in A.INPUT_COLUMNS), 1),
        "totals_query": round(per["SQLDATE"] + per["NumArticles"], 1),
    }
    print(f"bytes per row ({origin}): SELECT * {row_bytes['select_star']}, cube query "
          f"{row_bytes['cube_query']}, totals query {row_bytes['totals_query']} "
          f"[MODEL ESTIMATE]")
    ranges = {}
    for label, (s, e) in RANGES.items():
        m = Z.model_estimate(s, e, bytes_per_column=per)
        usd = B.estimate_cost_usd(m["cube"]) + B.estimate_cost_usd(m["totals"])
        ranges[label] = {
            "partition_days_scanned": m["days_scanned"], "rows_assumed": m["rows"],
            "cube_gb": round(m["cube"] / 1e9, 2), "totals_gb": round(m["totals"] / 1e9, 2),
            "select_star_gb": round(m["select_star"] / 1e9, 2),
            "cube_and_totals_usd": round(usd, 3),
            "select_star_usd": round(B.estimate_cost_usd(m["select_star"]), 3),
            "select_star_over_pruned": round(m["select_star_ratio"], 2),
            "fits_default_ceiling": m["cube_and_totals"] <= B.max_bytes_from_gb(None),
        }
        print(f"  {label}: cube+totals {ranges[label]['cube_gb'] + ranges[label]['totals_gb']:.2f}"
              f" GB (~US$ {usd:.3f}) vs SELECT * {ranges[label]['select_star_gb']:.2f} GB "
              f"(~US$ {ranges[label]['select_star_usd']:.3f}): "
              f"{m['select_star_ratio']:.2f}x [MODEL ESTIMATE]")

    ev = _synthetic_events(300_000)
    sql = A.cube_sql("2024-02-01", "2024-02-28")
    duck = A.run_duckdb(sql, {"events": ev}, S.CUBE)
    base = _pandas_cube(ev)
    assert len(duck) == len(base) and int(duck["events"].sum()) == int(base["events"].sum())
    t_duck = best_of(lambda: A.run_duckdb(sql, {"events": ev}, S.CUBE))
    t_pandas = best_of(lambda: _pandas_cube(ev))
    print(f"local run of the one SQL definition (DuckDB) on 300,000 synthetic rows: "
          f"{t_duck:.3f} s vs pandas groupby {t_pandas:.3f} s -> {t_pandas / t_duck:.1f}x")
    return {
        "label": "MODEL ESTIMATES (not BigQuery dry runs): logical bytes per row x assumed "
                 f"{Z.MODEL_ROWS_PER_DAY:,} rows/day x partition days; US$ "
                 f"{B.USD_PER_TIB}/TiB on-demand list price (may change)",
        "bytes_per_row_source": origin,
        "max_abs_drift_from_committed_model": round(model_drift, 3),
        "bytes_per_row": row_bytes,
        "select_star_over_cube_query_per_row": round(row_bytes["select_star"]
                                                     / row_bytes["cube_query"], 2),
        "ranges": ranges,
        "default_ceiling_gb": B.DEFAULT_MAX_GB,
        "duckdb_cube_seconds_300k_rows": round(t_duck, 4),
        "pandas_baseline_seconds_300k_rows": round(t_pandas, 4),
        "pandas_over_duckdb": round(t_pandas / t_duck, 2),
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(main(), indent=2))
