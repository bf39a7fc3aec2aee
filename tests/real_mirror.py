"""A real-shaped, multi-year GDELT mirror built from the REAL rows in ``tests/data``.

Every row served is one of GDELT's own rows (the GDELT 1.0 daily sample and the 2019-10-24
GDELT 2.0 export), re-dated to its file's day, given a fresh GLOBALEVENTID and, for some rows,
actor country codes remapped among RUS, KOR and PRK, so that the six directed dyads are as
sparse as the real ones (many days without a PRK→KOR event). Nothing is planted at any
milestone: an analysis of this mirror should find no evidence of effects.

GDELT's irregularities, at fixed days (module constants, so tests can check them):

* :data:`MISSING_DAYS` — GDELT 1.0 days whose file is absent (404), e.g. GDELT's own 2025-06-18;
* :data:`NO_ARTICLE_DAYS` — days whose events all have ``NumArticles`` 0 (no article
  weight: article-weighted indices are undefined there);
* :data:`V2_DAYS` — a few days of GDELT 2.0 15-minute files (served from the same server),
  of which :data:`V2_PARTIAL` days lack files inside the day: some listed in the master file
  list but 404, some not listed at all.

There is no DOC cache. Build with :func:`build`, serve with :class:`gdelt_mirror.MirrorServer`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from gdelt_mirror import V1_NAMES, V2_NAMES, Mirror

DATA = Path(__file__).resolve().parent / "data"
START, END = "2017-01-01", "2026-10-31"
#: Whole days GDELT does not have (404).
MISSING_DAYS = ("2019-04-26", "2023-03-15", "2025-06-18")
#: Days whose rows all have NumArticles 0.
NO_ARTICLE_DAYS = ("2020-02-03", "2024-06-19")
#: GDELT 2.0 days served as 15-minute files.
V2_DAYS = ("2024-06-18", "2024-06-19", "2024-06-20")
#: GDELT 2.0 day -> (files published, of them listed but 404, unlisted slots).
V2_PARTIAL = {"2024-06-19": (60, 30, 6)}
TRIO_PAIRS = [("RUS", "KOR"), ("KOR", "RUS"), ("RUS", "PRK"), ("PRK", "RUS"), ("KOR", "PRK"),
              ("PRK", "KOR")]
TRIO_WEIGHTS = np.array([0.22, 0.2, 0.2, 0.16, 0.14, 0.08])


def real_rows() -> list[dict[str, str]]:
    """The real GDELT rows of tests/data as dicts keyed by GDELT 2.0 column names."""
    out = []
    v1 = (DATA / "gdelt1-events-sample-rows.tsv").read_text(encoding="utf-8").splitlines()
    for line in v1:
        f = line.split("\t")
        if len(f) == len(V1_NAMES):  # the 58-column daily layout only
            out.append(dict.fromkeys(V2_NAMES, "") | dict(zip(V1_NAMES, f, strict=True)))
    v2 = (DATA / "gdelt2-events-20191024143000.export.CSV").read_text(encoding="utf-8")
    for line in v2.splitlines():
        f = line.split("\t")
        if len(f) == len(V2_NAMES):
            out.append(dict(zip(V2_NAMES, f, strict=True)))
    return out


class _Rows:
    """Draws real rows and re-dates / remaps them."""

    def __init__(self, seed: int, p_trio: float):
        self.pool = real_rows()
        self.rng = np.random.default_rng(seed)
        self.p_trio = p_trio
        self.gid = 900_000_000

    def draw(self, day: pd.Timestamp, n: int, added: str, *, no_articles: bool = False
             ) -> list[dict[str, str]]:
        rows = []
        for i in self.rng.integers(0, len(self.pool), n):
            r = dict(self.pool[int(i)])
            self.gid += 1
            back = int(self.rng.choice([0, 0, 0, 0, 0, 0, 1, 2]))  # GDELT also codes older events
            ev = day - pd.Timedelta(days=back)
            r.update({"GLOBALEVENTID": str(self.gid), "SQLDATE": f"{ev:%Y%m%d}",
                      "MonthYear": f"{ev:%Y%m}", "Year": f"{ev:%Y}",
                      "FractionDate": f"{ev.year + (ev.day_of_year - 0.5) / 365:.4f}",
                      "DATEADDED": added})
            if self.rng.random() < self.p_trio:
                a1, a2 = TRIO_PAIRS[int(self.rng.choice(len(TRIO_PAIRS), p=TRIO_WEIGHTS
                                                        / TRIO_WEIGHTS.sum()))]
                r.update({"Actor1Code": a1, "Actor1CountryCode": a1,
                          "Actor2Code": a2, "Actor2CountryCode": a2})
            if no_articles:
                r["NumArticles"] = "0"
            rows.append(r)
        return rows


def _text(rows: list[dict[str, str]], names: list[str]) -> bytes:
    return "".join("\t".join(r[n] for n in names) + "\n" for r in rows).encode()


def build(root: Path, *, start: str = START, end: str = END, rows_per_day: int = 8,
          p_trio: float = 0.5, v2_rows_per_file: int = 2, seed: int = 20250618) -> Mirror:
    """Write the mirror under ``root``: GDELT 1.0 daily files for [start, end] (without
    :data:`MISSING_DAYS`) and GDELT 2.0 15-minute files for :data:`V2_DAYS`.

    ``rows_per_day`` is the mean number of rows per daily file (Poisson); ``p_trio`` the share
    of rows whose actors are remapped to a RUS/KOR/PRK dyad.
    """
    gen = _Rows(seed, p_trio)
    m = Mirror(root)
    for day in pd.date_range(start, end, freq="D"):
        if f"{day:%Y-%m-%d}" in MISSING_DAYS:
            continue
        n = 2 + int(gen.rng.poisson(rows_per_day))
        rows = gen.draw(day, n, f"{day:%Y%m%d}",
                        no_articles=f"{day:%Y-%m-%d}" in NO_ARTICLE_DAYS)
        m.add_v1(f"{day:%Y%m%d}", _text(rows, V1_NAMES))
    for d in V2_DAYS:
        day = pd.Timestamp(d)
        stamps = list(pd.date_range(day, periods=96, freq="15min"))
        published, listed_404, _unlisted = V2_PARTIAL.get(d, (96, 0, 0))
        for k, t in enumerate(stamps):
            st = f"{t:%Y%m%d%H%M%S}"
            if k < published:
                rows = gen.draw(day, v2_rows_per_file, st)
                m.add_v2(st, _text(rows, V2_NAMES))
            elif k < published + listed_404:  # listed in the master list, 404 on the server
                name = m.add_v2(st, b"")
                (m.root / "gdeltv2" / name).unlink()
            # the rest: neither listed nor served
    m.write_index()
    return m
