"""SYNTHETIC demo events, generated FROM the synthetic demo cube so that they add up to it.

This is NOT GDELT data. Each cell of the demo cube (one row: its key columns, as
:data:`toolkit.schema.CUBE` defines them, and its sums) is split into ``events`` event rows,
deterministically (the random stream is seeded by the cell's key, so a cell's events are the
same whatever range is asked for), such that

* their ``num_articles``, ``num_mentions``, ``num_sources`` and ``is_root`` add up to the
  cell's ``articles``, ``mentions``, ``sources`` and ``root_events`` exactly (integers);
* their ``goldstein`` (the cell's mean: in the demo cube every event of a cell shares it)
  adds up to ``goldstein_sum`` and, weighted by articles, to ``goldstein_x_articles`` (up to
  the demo cube's rounding of that column to 0.001);
* ``avg_tone × num_articles`` adds up to ``tone_x_articles``

(the float sums up to rounding in the last bits). Every URL is ``synthetic://demo/...`` and
every name says it is synthetic: nothing here looks like a real article.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from ... import schema as S
from ...cameo_codes import EVENT_CODES
from .cube import SEED

_NAMES = {"RUS": "RUSSIA", "KOR": "SOUTH KOREA", "PRK": "NORTH KOREA"}
_PLACES = {"RUS": "Moscow, Russia", "KOR": "Seoul, South Korea", "PRK": "Pyongyang, North Korea"}
#: Actor type codes drawn for synthetic actors (CAMEO types) and their weights.
_TYPES = ("GOV", "MIL", "", "BUS", "MED", "ELI")
_TYPE_P = np.array([0.45, 0.15, 0.2, 0.07, 0.08, 0.05])
_BASE_KEY = ("date", "source", "target", "root_code", "quad_class")


def _codes_of(root: str) -> list[str]:
    return [c for c in EVENT_CODES if c[:2] == root and len(c) == 3]


def _rng(key: tuple) -> tuple[np.random.Generator, int]:
    h = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    n = int.from_bytes(h, "big")
    return np.random.default_rng([SEED, n]), (n >> 24)  # 40 bits of the key for the ids


def _split(total: int, n: int, floor: int, rng, weights) -> np.ndarray:
    """``n`` integers ≥ ``floor`` summing to ``total`` (``total ≥ n·floor``), skewed by
    ``weights`` so that a few events get most of it (as in GDELT)."""
    extra = int(total) - n * floor
    if extra < 0:
        raise ValueError(f"cannot split {total} into {n} parts of at least {floor}")
    return floor + rng.multinomial(extra, weights)


def _bounded(total: int, caps: np.ndarray) -> np.ndarray:
    """Integers 0 ≤ x_i ≤ caps_i summing to ``total`` (≤ caps.sum()), proportional to caps."""
    if caps.sum() == 0:
        return np.zeros_like(caps)
    x = np.floor(caps * (total / caps.sum())).astype(np.int64)
    left = int(total - x.sum())
    for i in np.argsort(-(caps - x), kind="stable"):
        if left <= 0:
            break
        add = min(left, int(caps[i] - x[i]))
        x[i] += add
        left -= add
    return x


def _cell_events(cell: dict, extra_keys: list[str]) -> dict[str, list]:
    n = int(cell["events"])
    key = tuple(str(cell[k]) for k in S.CUBE.key)
    rng, hid = _rng(key)
    if n >= 1 << 16:
        raise ValueError(f"demo cell {key} has {n} events, more than the generator numbers")
    w = rng.dirichlet(np.full(n, 0.6))
    arts = _split(cell["articles"], n, 1, rng, w)
    ments = arts + _split(cell["mentions"] - cell["articles"], n, 0, rng, w)
    srcs = 1 + _bounded(int(cell["sources"]) - n, arts - 1)
    is_root = np.zeros(n, bool)
    is_root[rng.choice(n, int(cell["root_events"]), replace=False)] = True
    gold = np.full(n, float(cell["goldstein_sum"]) / n)
    tone_mean = float(cell["tone_x_articles"]) / float(arts.sum())
    noise = rng.normal(0.0, 1.5, n)
    noise -= (noise * arts).sum() / arts.sum()  # article-weighted zero: the sum is kept
    tone = tone_mean + noise
    root = str(cell["root_code"])
    codes = _codes_of(root)
    cw = np.array([3.0 if c.endswith("0") else 1.0 for c in codes])
    ev_codes = rng.choice(codes, n, p=cw / cw.sum())
    day = pd.Timestamp(cell["date"])
    # naive UTC, datetime64[ns]: made tz-aware once, for all cells, in events_from_cube
    added = np.datetime64(day, "ns") + (rng.integers(0, 96, n) * 15).astype("timedelta64[m]")
    s, t = str(cell["source"]), str(cell["target"])
    s_type = (np.full(n, str(cell["source_type"]), dtype=object) if "source_type" in cell
              else rng.choice(_TYPES, n, p=_TYPE_P))
    t_type = rng.choice(_TYPES, n, p=_TYPE_P)
    gid = (np.int64(hid) << np.int64(16)) + np.arange(n, dtype=np.int64)
    out = {
        "GLOBALEVENTID": gid,
        "date": np.full(n, day),
        "dateadded": added,
        "source": [s] * n, "target": [t] * n,
        "source_actor": [s + x for x in s_type],
        "source_name": [f"{_NAMES.get(s, s)} {x} (synthetic)".replace("  ", " ")
                        for x in s_type],
        "source_type": list(s_type),
        "target_actor": [t + x for x in t_type],
        "target_name": [f"{_NAMES.get(t, t)} {x} (synthetic)".replace("  ", " ")
                        for x in t_type],
        "target_type": list(t_type),
        "event_code": list(ev_codes),
        "root_code": [root] * n,
        "quad_class": np.full(n, int(cell["quad_class"])),
        "goldstein": gold, "avg_tone": tone,
        "num_articles": arts, "num_mentions": ments, "num_sources": srcs,
        "is_root": is_root,
        "action_geo": [f"{_PLACES.get(s, s)} (synthetic)"] * n,
        "url": [f"synthetic://demo/{day:%Y-%m-%d}/{s}-{t}/{c}/{g}"
                for c, g in zip(ev_codes, gid, strict=True)],
    }
    for k in extra_keys:  # key columns the cube grew (e.g. source_type): the cell's value
        out[k] = [cell[k]] * n
    return out


def events_from_cube(cube: pd.DataFrame) -> pd.DataFrame:
    """The synthetic events of every cell of ``cube`` (a demo cube from
    :func:`toolkit.load_cube`), one row per event, columns of :data:`toolkit.event_rows.RAW`
    (``event_description`` is added by :func:`toolkit.event_rows.finish`).

    Examples
    --------
    >>> import toolkit
    >>> cube = toolkit.load_cube("2026-02-21", "2026-02-21", source="demo")
    >>> len(events_from_cube(cube)) == cube["events"].sum()
    True
    """
    if cube.attrs.get("synthetic") is not True:
        raise ValueError("events_from_cube splits the SYNTHETIC demo cube only; load real "
                         "events with toolkit.load_events(..., source='local' or 'bigquery')")
    extra = [k for k in S.CUBE.key if k not in _BASE_KEY]
    parts: dict[str, list] = {}
    for cell in cube[cube["events"] > 0].to_dict("records"):
        for k, v in _cell_events(cell, extra).items():
            parts.setdefault(k, []).append(np.asarray(v, dtype=object)
                                           if k not in ("dateadded",) else v)
    if not parts:
        return pd.DataFrame({c: [] for c in ("GLOBALEVENTID", "date", "dateadded", "source",
                                             "target", "root_code", "event_code", "quad_class",
                                             "goldstein", "avg_tone", "num_articles",
                                             "num_mentions", "num_sources", "is_root", "url")})
    cols = {}
    for k, v in parts.items():
        if k == "dateadded":
            cols[k] = pd.DatetimeIndex(np.concatenate(v)).tz_localize("UTC")
        else:
            cols[k] = np.concatenate(v)
    df = pd.DataFrame(cols)
    for k in ("GLOBALEVENTID", "quad_class", "num_articles", "num_mentions", "num_sources"):
        df[k] = df[k].astype(np.int64)
    for k in ("goldstein", "avg_tone"):
        df[k] = df[k].astype(np.float64)
    df["is_root"] = df["is_root"].astype(bool)
    df["date"] = pd.to_datetime(df["date"])
    return df
