"""Loading the dyad cube and daily totals from any source: ``demo``, ``local``, ``bigquery``.

Indices, statistics and charts never care where the cube came from; they read
``df.attrs["source"]`` only to print it in captions.
"""

from __future__ import annotations

import logging
import os
import warnings

import pandas as pd

from . import schema as S
from . import store
from .actors import validate_actors
from .config import SOURCES
from .config import data_dir as config_data_dir
from .dates import parse_range

log = logging.getLogger("toolkit")

def _check_source(source: str) -> str:
    if not isinstance(source, str) or source.lower() not in SOURCES:
        raise ValueError(f"Unknown source {source!r}; choose one of {', '.join(SOURCES)}")
    return source.lower()


def resolve_source(source: str = "auto", start=None, end=None, *, data_dir=None) -> str:
    """Decide which concrete source ``"auto"`` means for [start, end].

    ``auto`` is ``local`` when the local cache (filled by ``toolkit fetch events``) holds the
    whole range, otherwise ``demo``. Other names are returned as they are (after checking).
    """
    source = _check_source(source)
    if source != "auto":
        return source
    s, e = parse_range(start, end)
    return "local" if store.covers(s, e, store="local", data_dir=data_dir) else "demo"


#: What each GDELT events product is, for ``attrs["dataset"]`` and captions.
PRODUCT_LABELS = {
    "v1": "GDELT 1.0 daily event files",
    "v2": "GDELT 2.0 Events, English 15-minute files (v2)",
    "v2-all": "GDELT 2.0 Events, English + translingual 15-minute files (v2-all)",
}
#: Which day an event counts on, per date basis.
DATE_BASIS_LABELS = {
    "sqldate": "events dated by the day they happened (SQLDATE)",
    "dateadded": "events dated by the UTC day GDELT published them (DATEADDED)",
}


def _fmt(ranges) -> str:
    return ", ".join(f"{a:%Y-%m-%d}..{b:%Y-%m-%d}" for a, b in ranges) or "nothing"


def held_ranges(source: str, *, data_dir: str | os.PathLike | None = None
                ) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The inclusive day ranges a concrete source holds, oldest first.

    ``demo`` holds its fixed synthetic range; ``local`` and ``bigquery`` what their fetches
    recorded in the cache (empty when nothing was fetched yet).

    Examples
    --------
    >>> held_ranges("demo")
    [(Timestamp('2017-01-01 00:00:00'), Timestamp('2026-10-31 00:00:00'))]
    """
    source = _check_source(source)
    if source == "auto":
        raise ValueError("held_ranges needs a concrete source: demo, local or bigquery")
    if source == "demo":
        from .sources.demo import cube as demo

        return [(pd.Timestamp(demo.START), pd.Timestamp(demo.END))]
    return [(pd.Timestamp(r["start"]), pd.Timestamp(r["end"]))
            for r in store.coverage(store=source, data_dir=data_dir)]


def local_fetch_command(lo, hi, *, data_dir=None) -> str:
    """The ``toolkit fetch events`` command that adds [lo, hi] to the local cache.

    It names the cache's product when that is not the default (a cache holds one product, so
    the command without ``--product`` would be refused).

    Examples
    --------
    >>> local_fetch_command("2024-06-01", "2024-06-30", data_dir="/nonexistent")
    'toolkit fetch events --start 2024-06-01 --end 2024-06-30'
    """
    from .sources.events import cache as C

    product = C.read_state(config_data_dir(data_dir)).get("product")
    extra = f" --product {product}" if product and product != "v2" else ""
    return (f"toolkit fetch events --start {pd.Timestamp(lo):%Y-%m-%d} "
            f"--end {pd.Timestamp(hi):%Y-%m-%d}{extra}")


def _fetch_hint(source: str, lo: pd.Timestamp, hi: pd.Timestamp, acts, data_dir) -> str:
    if source == "bigquery":
        from .sources.bigquery.cache import _hint

        return f"fetch it with: {_hint(lo, hi, acts)}"
    if source == "local":
        return f"fetch it with: {local_fetch_command(lo, hi, data_dir=data_dir)}"
    return "the synthetic demo cannot be extended: choose dates inside it"


def _days_held(chosen: str, requested: str, s, e, acts, data_dir
               ) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The days to read: [s, e], checked against what ``chosen`` holds.

    Raises when nothing of the range is held, and for the caches (``local``, ``bigquery``) when
    part of it is missing (with what is held and what to fetch); warns when the demo clips it.
    """
    held = held_ranges(chosen, data_dir=data_dir)
    if not held:
        return s, e
    lo = s if s is not None else held[0][0]
    hi = e if e is not None else held[-1][1]
    why, local = "", []
    if requested == "auto" and chosen == "demo":
        local = held_ranges("local", data_dir=data_dir)
        why = (" (source='auto' chose the SYNTHETIC demo: the local cache holds "
               + (f"{_fmt(local)}, not all of {lo:%Y-%m-%d}..{hi:%Y-%m-%d})" if local
                  else "nothing yet)"))
    inside = [(max(a, lo), min(b, hi)) for a, b in held if a <= hi and b >= lo]
    if not inside:
        raise ValueError(
            f"source={chosen} holds {_fmt(held)}{why}, nothing of {lo:%Y-%m-%d}..{hi:%Y-%m-%d}; "
            + _fetch_hint(chosen, lo, hi, acts, data_dir))
    if local and not (s is None and e is None):
        # the user fetched something, but not this range: say so, loudly
        msg = (f"source='auto' uses the SYNTHETIC demo data: the local cache holds "
               f"{_fmt(local)}, not all of {lo:%Y-%m-%d}..{hi:%Y-%m-%d}; "
               f"{_fetch_hint('local', lo, hi, acts, data_dir)}, or pass source='local' "
               "with a range inside what it holds")
        warnings.warn(msg, UserWarning, stacklevel=4)
    if s is None and e is None:  # "everything the source holds"
        return lo, hi
    missing, day = [], lo
    for a, b in inside:
        if a > day:
            missing.append((day, a - pd.Timedelta(days=1)))
        day = b + pd.Timedelta(days=1)
    if day <= hi:
        missing.append((day, hi))
    if not missing:
        return lo, hi
    if chosen == "demo":
        at = " and ".join(w for w, cut in (("start", inside[0][0] > lo),
                                            ("end", inside[-1][1] < hi)) if cut)
        msg = (f"source=demo holds {_fmt(held)}{why}: the requested {lo:%Y-%m-%d}..{hi:%Y-%m-%d}"
               f" is clipped at the data's {at} to {_fmt(inside)}")
        warnings.warn(msg, UserWarning, stacklevel=4)
        return inside[0][0], inside[-1][1]
    raise ValueError(
        f"source={chosen} does not hold {_fmt(missing)} of the requested {lo:%Y-%m-%d}.."
        f"{hi:%Y-%m-%d}; it holds {_fmt(held)}. "
        f"{_fetch_hint(chosen, missing[0][0], missing[-1][1], acts, data_dir).capitalize()}, "
        "or ask for a range inside what it holds")


def _provenance(chosen: str, df: pd.DataFrame, data_dir) -> dict:
    """``dataset``, ``date_basis`` and ``note`` naming the product the rows come from."""
    if chosen == "demo":
        return {"dataset": "synthetic demo data (not real GDELT)", "date_basis": None}
    if chosen == "local":
        from .sources.events import cache as C

        state = C.read_state(config_data_dir(data_dir))
        product, basis = state.get("product"), state.get("date_basis") or "sqldate"
        dataset = PRODUCT_LABELS.get(product, f"GDELT Events (product {product or 'unknown'})")
        where = "local cache"
    else:
        from .sources.bigquery import fetch as bq
        from .sources.bigquery.cache import fetches

        lo, hi = (df["date"].min(), df["date"].max()) if len(df) else (None, None)
        used = [r for r in fetches(data_dir) if lo is None or (
            pd.Timestamp(r["start"]) <= hi and pd.Timestamp(r["end"]) >= lo)]
        tables = sorted({r.get("table", bq.TABLE) for r in used}) or [bq.TABLE]
        basis = df.attrs.get("date_basis") or "sqldate"
        dataset = f"GDELT 2.0 Events, BigQuery table {' + '.join(tables)}"
        where = "BigQuery cache" + (" (mixed tables)" if len(tables) > 1 else "")
    return {"dataset": dataset, "date_basis": basis,
            "note": f"{dataset} ({where}; {DATE_BASIS_LABELS.get(basis, basis)})"}


def _actors_held(chosen: str, df: pd.DataFrame, data_dir) -> list[str]:
    """The actors a source kept (not just those with events in this range), sorted."""
    if chosen == "demo":
        from .sources.demo import cube as demo

        return sorted(demo.ACTORS)
    if chosen == "local":
        from .sources.events import cache as C

        kept = C.read_state(config_data_dir(data_dir)).get("actors")
    else:
        from .sources.bigquery.cache import fetches

        kept = [a for r in fetches(data_dir) for a in r.get("actors", ())]
    if not kept:
        kept = set(df["source"].astype(str)) | set(df["target"].astype(str))
    return sorted(set(kept))


def _load(kind: str, start, end, source, actors, data_dir) -> pd.DataFrame:
    s, e = parse_range(start, end)
    acts = validate_actors(actors) if actors is not None else None
    requested = _check_source(source)
    chosen = resolve_source(requested, s, e, data_dir=data_dir)
    schema = S.CUBE if kind == "cube" else S.DAILY_TOTALS
    if chosen == "local" and not store.coverage(store="local", data_dir=data_dir):
        raise ValueError(
            "The local cache holds no GDELT data yet; fetch some first, e.g. "
            "`toolkit fetch events --start 2024-06-01 --end 2024-06-30`, or use "
            "source='demo'"
        )
    s, e = _days_held(chosen, requested, s, e, acts, data_dir)
    if chosen == "demo":
        from .sources.demo import cube as demo

        df = demo.read_cube(s, e) if kind == "cube" else demo.read_totals(s, e)
    elif chosen == "bigquery":
        from .sources.bigquery import fetch as bigquery

        df = bigquery.load(kind, s, e, actors=acts, data_dir=data_dir)
    else:
        from .sources.events.rebuild import upgrade_local_cube

        upgrade_local_cube(data_dir)  # cubes cached before source_type: rebuilt, with a note
        reader = store.read_cube if kind == "cube" else store.read_totals
        df = reader(store="local", data_dir=data_dir, start=s, end=e)
        df.attrs.update({"source": "local", "synthetic": False})
    if acts is not None and kind == "cube":
        df = df[df["source"].isin(acts) & df["target"].isin(acts)].reset_index(drop=True)
    S.validate(df, schema, where=f"source={chosen}")
    attrs = dict(df.attrs)
    attrs.update(_provenance(chosen, df, data_dir))
    if s is None and len(df):
        s = pd.Timestamp(df["date"].min())
    if e is None and len(df):
        e = pd.Timestamp(df["date"].max())
    attrs.update({"requested_source": requested,
                  "start": None if s is None else f"{s:%Y-%m-%d}",
                  "end": None if e is None else f"{e:%Y-%m-%d}",
                  "days": None if s is None or e is None else int((e - s).days) + 1})
    if kind == "cube":
        attrs["actors"] = list(acts) if acts is not None else _actors_held(chosen, df, data_dir)
    df.attrs = attrs
    if kind == "cube":
        why = " (auto: local cache covers the range)" if requested == "auto" and chosen == "local" \
            else " (auto: local cache does not cover the range)" if requested == "auto" else ""
        log.info("toolkit: dyad cube from source=%s%s, %d rows", chosen, why, len(df))
    return df


def load_cube(start=None, end=None, *, source: str = "auto", actors=None,
              data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load the dyad cube for an inclusive day range.

    Parameters
    ----------
    start, end : str, date or None
        First and last day (``"YYYY-MM-DD"``); None means the source's full range.
    source : {"auto", "demo", "local", "bigquery"}
        ``demo`` is the embedded SYNTHETIC data; ``local`` the cache filled by
        :func:`toolkit.fetch_events`; ``bigquery`` the cache filled by ``toolkit fetch
        bigquery``; ``auto`` picks ``local`` when it holds the whole range, else ``demo``.
    actors : iterable of str, optional
        Keep only dyads whose source and target are both in this set of CAMEO codes.
    data_dir : path, optional
        Cache directory (default: ``TOOLKIT_DATA_DIR`` or ``data/cache``).

    Returns
    -------
    DataFrame
        Columns of :data:`toolkit.schema.CUBE` (one row per date, source, source_type,
        target, root_code, quad_class; sums; ``source_type`` is the speaker's role,
        Actor1Type1Code, see :mod:`toolkit.speakers`). ``attrs`` holds ``source`` (the
        source used), ``synthetic``,
        ``dataset`` (the product: GDELT 1.0 daily files, GDELT 2.0 English or with
        translingual, the BigQuery table, or the synthetic demo), ``date_basis`` (``sqldate``
        or ``dateadded``; None for the demo), ``note`` (all that in one line, for captions),
        ``requested_source``, ``start``, ``end`` and ``days`` (the days covered) and
        ``actors`` (the cube's actor set).

    Raises
    ------
    ValueError
        Unknown source, malformed or reversed dates, unknown actor codes, empty local cache;
        a range the source holds nothing of, or (``local``, ``bigquery``) only part of: the
        message names the ranges it holds and the command that fetches the rest.

    Warns
    -----
    UserWarning
        When the demo clips the range at its start or end (2017-01-01..2026-10-31), and when
        ``auto`` falls back to the demo although the local cache holds other days.

    Examples
    --------
    >>> cube = load_cube("2022-02-01", "2022-03-31", source="demo")
    >>> cube.attrs["source"], cube.attrs["synthetic"]
    ('demo', True)
    """
    return _load("cube", start, end, source, actors, data_dir)


def load_daily_totals(start=None, end=None, *, source: str = "auto",
                      data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load the daily totals over ALL GDELT events (the normalisation denominator).

    Parameters and source selection as :func:`load_cube`. Columns of
    :data:`toolkit.schema.DAILY_TOTALS`: ``date``, ``total_events``, ``total_articles``.

    Examples
    --------
    >>> totals = load_daily_totals("2022-02-01", "2022-02-07", source="demo")
    >>> list(totals.columns)
    ['date', 'total_events', 'total_articles']
    """
    return _load("totals", start, end, source, None, data_dir)
