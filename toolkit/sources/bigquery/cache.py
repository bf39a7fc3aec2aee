"""The BigQuery results cache: cube + totals by month, and the provenance of every fetch.

Layout (under the data directory): ``cubes/bigquery/cube-YYYY-MM.parquet`` and
``totals-YYYY-MM.parquet`` (written by :func:`toolkit.store.write_cube`), ``coverage.json``
(:func:`toolkit.store.add_coverage`) and ``fetches.json``: one record per fetch with the range,
actors, date basis, project, UTC time, and per query the SQL text, job id, estimated bytes,
bytes processed and bytes billed. A refetch replaces its days and keeps the rest; the actor set
of each day is the one of its latest fetch. :func:`load` only reads: it never queries BigQuery.
"""

from __future__ import annotations

import pandas as pd

from ... import aggregate as A
from ... import store
from ...config import data_dir as _data_dir
from ...errors import CacheCorrupt

STORE = "bigquery"
_MANIFEST = "fetches.json"
_FETCH_HINT = ("toolkit fetch bigquery --project YOUR_PROJECT --start {s} --end {e}{a} "
               "(first check the cost: toolkit bigquery estimate --start {s} --end {e}{a})")


def _manifest_path(data_dir):
    return _data_dir(data_dir) / "cubes" / STORE / _MANIFEST


def fetches(data_dir=None) -> list[dict]:
    """Provenance of every fetch into the BigQuery cache, oldest first.

    Each record holds ``start``, ``end``, ``actors``, ``date_basis``, ``project``,
    ``fetched_at`` (UTC), ``max_bytes_billed`` (the fetch's ceiling) and per query (``cube``,
    ``totals``) the SQL text, ``job_id``, estimated bytes, ``bytes_processed``,
    ``bytes_billed``, ``maximum_bytes_billed`` (that job's share of the ceiling) and ``rows``.

    Raises
    ------
    toolkit.errors.CacheCorrupt
        ``fetches.json`` exists but is damaged (the message names it and how to repair).
    """
    p = _manifest_path(data_dir)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        return []
    try:
        obj = store.parse_json(raw)
        recs = obj.get("fetches") if isinstance(obj, dict) else None
        if not isinstance(recs, list):
            raise ValueError("no 'fetches' list")
        for i, r in enumerate(recs):
            if not isinstance(r, dict) or not isinstance(r.get("actors"), list):
                raise ValueError(f"fetch {i} is not a fetch record")
            pd.Timestamp(r["start"]), pd.Timestamp(r["end"])  # noqa: B018
    except (ValueError, KeyError, TypeError) as exc:
        raise CacheCorrupt(
            f"The BigQuery fetch record {p} is damaged ({str(exc)[:160]}); the BigQuery cache "
            f"cannot be trusted without it: delete the folder {p.parent} and run "
            "`toolkit fetch bigquery` again for the ranges you need") from None
    return recs


def _check_cache_basis(date_basis: str, data_dir) -> None:
    A._check_basis(date_basis)
    held = {f.get("date_basis") for f in fetches(data_dir)}
    if held and held != {date_basis}:
        raise ValueError(
            f"The BigQuery cache in {_data_dir(data_dir)} holds cubes dated by "
            f"{', '.join(sorted(held))}; a cache never mixes date bases. Use "
            f"date_basis={sorted(held)[0]!r}, or another data directory (--data-dir) for "
            f"date_basis={date_basis!r}")


def _write_cache(cube: pd.DataFrame, totals: pd.DataFrame, s: pd.Timestamp, e: pd.Timestamp,
                 record: dict, data_dir) -> list[str]:
    """Replace days [s, e] of the cache with the new results, keeping other days."""
    with store.lock(data_dir):
        _check_cache_basis(record["date_basis"], data_dir)
        lo = s.replace(day=1)
        hi = e + pd.offsets.MonthEnd(0)
        old_c = store.read_cube(store=STORE, data_dir=data_dir, start=lo, end=hi)
        old_t = store.read_totals(store=STORE, data_dir=data_dir, start=lo, end=hi)
        keep_c = old_c[(old_c["date"] < s) | (old_c["date"] > e)]
        keep_t = old_t[(old_t["date"] < s) | (old_t["date"] > e)]
        new_c = pd.concat([keep_c, cube], ignore_index=True) if len(keep_c) else cube
        new_t = pd.concat([keep_t, totals], ignore_index=True) if len(keep_t) else totals
        months = store.write_cube(new_c, new_t, store=STORE, data_dir=data_dir)
        record["months"] = months
        store.write_json_atomic(_manifest_path(data_dir),
                                {"fetches": fetches(data_dir) + [record]})
        store.add_coverage(s, e, store=STORE, data_dir=data_dir)
    return months


def _day_actors(records: list[dict]) -> dict[pd.Timestamp, frozenset]:
    """Actor set each cached day was last fetched with (later fetches replace earlier ones)."""
    out: dict[pd.Timestamp, frozenset] = {}
    for r in records:
        acts = frozenset(r.get("actors", ()))
        for d in pd.date_range(r["start"], r["end"], freq="D"):
            out[d] = acts
    return out


def _spans(days: list[pd.Timestamp]) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    spans: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for d in sorted(days):
        if spans and d - spans[-1][1] == pd.Timedelta(days=1):
            spans[-1] = (spans[-1][0], d)
        else:
            spans.append((d, d))
    return spans


def _hint(s, e, actors) -> str:
    a = f" --actors {','.join(actors)}" if actors else ""
    return _FETCH_HINT.format(s=f"{s:%Y-%m-%d}", e=f"{e:%Y-%m-%d}", a=a)


def _cached(s: pd.Timestamp, e: pd.Timestamp, actors: tuple[str, ...], data_dir) -> bool:
    day_acts = _day_actors(fetches(data_dir))
    return all(d in day_acts and set(actors) <= day_acts[d]
               for d in pd.date_range(s, e, freq="D"))


def load(kind: str, start, end, *, actors=None, data_dir=None) -> pd.DataFrame:
    """Read the cached BigQuery cube (``kind="cube"``) or daily totals (``"totals"``).

    Called by ``toolkit.load_cube(..., source="bigquery")`` and ``load_daily_totals``. It never
    queries BigQuery (that costs money and needs an explicit project): when the cache lacks part
    of the range, or an actor, it raises ``ValueError`` saying which ``toolkit fetch bigquery``
    command fills it.

    Parameters
    ----------
    kind : {"cube", "totals"}
    start, end : Timestamp or None
        Inclusive days; None means the cached range's first / last day.
    actors : tuple of str, optional
        The caller keeps only these actors; here they must all have been fetched.
    data_dir : path, optional
        Cache directory.
    """
    if kind not in ("cube", "totals"):
        raise ValueError(f"Unknown kind {kind!r}; choose 'cube' or 'totals'")
    records = fetches(data_dir)
    if not records:
        s = start if start is not None else pd.Timestamp("2024-01-01")
        e = end if end is not None else s + pd.Timedelta(days=30)
        raise ValueError("The BigQuery cache holds nothing yet. Run BigQuery explicitly (it "
                         "bills your Google Cloud project), e.g. " + _hint(s, e, actors)
                         + "; or use source='local' or 'demo'")
    day_acts = _day_actors(records)
    s = pd.Timestamp(start) if start is not None else min(day_acts)
    e = pd.Timestamp(end) if end is not None else max(day_acts)
    wanted = pd.date_range(s, e, freq="D")
    missing = [d for d in wanted if d not in day_acts]
    if missing:
        spans = _spans(missing)
        shown = ", ".join(f"{a:%Y-%m-%d}..{b:%Y-%m-%d}" for a, b in spans[:5])
        more = f" and {len(spans) - 5} more spans" if len(spans) > 5 else ""
        raise ValueError(f"The BigQuery cache does not hold {shown}{more}. Fetch it with: "
                         + _hint(spans[0][0], spans[-1][1], actors))
    if actors is not None and kind == "cube":
        lacking = [d for d in wanted if not set(actors) <= day_acts[d]]
        if lacking:
            spans = _spans(lacking)
            held = sorted(set().union(*(day_acts[d] for d in lacking)))
            raise ValueError(
                f"The BigQuery cache holds actors {','.join(held)} for "
                f"{spans[0][0]:%Y-%m-%d}..{spans[-1][1]:%Y-%m-%d}, not all of "
                f"{','.join(actors)}. Fetch them with: " + _hint(spans[0][0], spans[-1][1],
                                                                 actors))
    reader = store.read_cube if kind == "cube" else store.read_totals
    df = reader(store=STORE, data_dir=data_dir, start=s, end=e)
    from .sql import TABLE

    used = [r for r in records if pd.Timestamp(r["start"]) <= e and pd.Timestamp(r["end"]) >= s]
    df.attrs.update({
        "source": "bigquery", "synthetic": False,
        "note": f"GDELT Events 2.0 via Google BigQuery ({used[-1].get('table', TABLE)}), "
                f"date basis {used[-1].get('date_basis', 'sqldate')}",
        "date_basis": used[-1].get("date_basis", "sqldate"),
        "bigquery_jobs": [q.get("job_id", "") for r in used for q in r.get("queries", [])],
    })
    return df


def provenance(data_dir=None) -> pd.DataFrame:
    """One row per cached fetch: range, actors, project, time, job ids, bytes billed."""
    rows = []
    for r in fetches(data_dir):
        qs = r.get("queries", [])
        rows.append({"start": r["start"], "end": r["end"], "actors": ",".join(r["actors"]),
                     "date_basis": r["date_basis"], "project": r.get("project"),
                     "fetched_at": r.get("fetched_at"),
                     "job_ids": ",".join(q.get("job_id", "") for q in qs),
                     "estimated_bytes": sum(q.get("estimated_bytes", 0) for q in qs),
                     "bytes_billed": sum(q.get("bytes_billed", 0) for q in qs)})
    return pd.DataFrame(rows, columns=["start", "end", "actors", "date_basis", "project",
                                       "fetched_at", "job_ids", "estimated_bytes",
                                       "bytes_billed"])
