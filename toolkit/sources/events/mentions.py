"""GDELT 2.0 Mentions of the kept events: what was stored, and :func:`read_mentions`.

An export row's ``SOURCEURL`` is only the first article GDELT saw an event in. The Mentions
files (``YYYYMMDDHHMMSS.mentions.CSV.zip``, every 15 minutes, 16 columns) list every article
that mentioned an event, including mentions published hours or days after it.
``fetch_events(..., mentions=True)`` (``toolkit fetch events --mentions``) downloads them with
the exports' verification and fault handling and keeps the mentions whose GLOBALEVENTID is
among the stored kept events (:mod:`toolkit.sources.events.cache` for the layout).

Matching rule
-------------
A Mentions file is matched against the events stored when it is parsed. A run stores its
exports first, then parses the Mentions files of the same days, so every mention published
in the range of an event published in the range (or in a range fetched before) is kept. A
mention names an event published in the same 15-minute file or earlier, so when events are
stored after a Mentions file stamped at or after them was parsed (an earlier range fetched
after a later one, or a larger actor set), that file is matched again, from its kept zip
(:func:`toolkit.sources.events._stale_mentions`, from the manifests' storage times).

Limitation: mentions published after ``end`` (GDELT keeps reporting mentions for days) are
stored only when their days are fetched with mentions; fetch a few days past the end.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ... import config
from ...errors import CacheCorrupt
from ...store import _replace_days, read_json, write_json_atomic
from . import cache as C
from .index import STREAMS, is_mentions
from .parse import MENTIONS_SCHEMA

#: MentionType codes of the GDELT 2.0 Event codebook.
MENTION_TYPES = {1: "WEB", 2: "CITATIONONLY", 3: "CORE", 4: "DTIC", 5: "JSTOR",
                 6: "NONTEXTUALSOURCE"}
#: Stored column -> column of :func:`read_mentions`' frame.
COLUMNS = {
    "GLOBALEVENTID": "GLOBALEVENTID", "EventTimeDate": "event_time",
    "MentionTimeDate": "mention_time", "MentionType": "mention_type",
    "MentionSourceName": "source_name", "MentionIdentifier": "url",
    "SentenceID": "sentence_id", "Actor1CharOffset": "actor1_offset",
    "Actor2CharOffset": "actor2_offset", "ActionCharOffset": "action_offset",
    "InRawText": "in_raw_text", "Confidence": "confidence", "MentionDocLen": "doc_len",
    "MentionDocTone": "doc_tone", "MentionDocTranslationInfo": "translation_info",
    "Extras": "extras", "source_file": "source_file",
}


def _coverage_path(ddir: Path, stream: str) -> Path:
    return C.stream_dir(ddir, stream) / "coverage.json"


def mentions_coverage(ddir: Path, stream: str) -> list[dict]:
    """Day ranges whose every Mentions file of ``stream`` is stored (or a settled gap)."""
    p = _coverage_path(ddir, stream)
    if not p.exists():
        return []
    doc = read_json(p, repair="delete it and rerun the fetch with --mentions")
    ranges = doc.get("ranges") if isinstance(doc, dict) else None
    if not isinstance(ranges, list) or not all(isinstance(r, dict) and "start" in r
                                               and "end" in r for r in ranges):
        raise CacheCorrupt(f"{p} is not a coverage record; delete it and rerun the fetch "
                           "with --mentions")
    return ranges


def set_mentions_coverage(ddir: Path, stream: str, start: pd.Timestamp, end: pd.Timestamp,
                          days) -> list[dict]:
    """Make the days of [start, end] covered for ``stream``'s Mentions exactly when in
    ``days`` (days outside keep their record); written durably, after the mentions."""
    ranges = _replace_days(mentions_coverage(ddir, stream), start, end, days)
    write_json_atomic(_coverage_path(ddir, stream), {"ranges": ranges}, durable=True)
    return ranges


def _empty() -> pd.DataFrame:
    return _tidy(MENTIONS_SCHEMA.empty_table().to_pandas())


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    df = df.rename(columns=COLUMNS)
    for c in ("event_time", "mention_time"):
        df[c] = pd.to_datetime(df[c].astype("Int64").astype("string"), format="%Y%m%d%H%M%S",
                               errors="coerce")
    df.insert(df.columns.get_loc("mention_type") + 1, "mention_type_name",
              df["mention_type"].map(MENTION_TYPES).astype("string"))
    return df


def read_mentions(start=None, end=None, *, event_ids=None,
                  data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """The stored mentions of kept events: one row per article that mentioned an event.

    Parameters
    ----------
    start, end : str or date, optional
        Inclusive UTC days of the *mention* (``MentionTimeDate``); None: no bound. To list
        every stored mention of some events, pass ``event_ids`` and leave both None.
    event_ids : iterable of int, optional
        GLOBALEVENTIDs to keep (read with a predicate pushed into the parquet reader).
    data_dir : path, optional
        Cache directory (default ``TOOLKIT_DATA_DIR`` or ``data/cache``).

    Returns
    -------
    pandas.DataFrame
        Columns ``GLOBALEVENTID``, ``event_time`` and ``mention_time`` (UTC, 15-minute
        slots: when GDELT first saw the event, and this mention), ``mention_type`` and
        ``mention_type_name`` (1 WEB, 2 CITATIONONLY, 3 CORE, 4 DTIC, 5 JSTOR,
        6 NONTEXTUALSOURCE), ``source_name`` (e.g. a domain), ``url`` (MentionIdentifier:
        the article URL for WEB mentions), ``sentence_id``, ``actor1_offset``,
        ``actor2_offset``, ``action_offset`` (characters), ``in_raw_text`` (1: found in the
        raw text), ``confidence`` (percent), ``doc_len`` (characters), ``doc_tone``,
        ``translation_info``, ``extras``, ``source_file``; sorted by event, then mention
        time. Identical mentions stored from two files count once. ``attrs["coverage"]``
        maps each Mentions stream to the day ranges whose every file is stored; empty when
        nothing was fetched with ``mentions=True``.

    Raises
    ------
    ValueError
        ``start`` after ``end``, or not a date.
    toolkit.errors.CacheCorrupt
        A stored file is damaged (the message names it and the repair).

    Examples
    --------
    >>> from toolkit.sources.events import read_mentions
    >>> m = read_mentions(event_ids=[881990894])  # doctest: +SKIP
    >>> m[["mention_time", "source_name", "url", "confidence"]]  # doctest: +SKIP
    """
    ddir = config.data_dir(data_dir)
    lo = pd.Timestamp(start).normalize() if start is not None else None
    hi = pd.Timestamp(end).normalize() if end is not None else None
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"start {lo.date()} is after end {hi.date()}")
    filters = None
    if event_ids is not None:
        ids = sorted({int(x) for x in event_ids})
        if not ids:
            df = _empty()
            df.attrs["coverage"] = {}
            return df
        filters = [("GLOBALEVENTID", "in", ids)]
    # a file's mentions are stored under its publication month, which may be a month
    # after the mention time (a mention at 23:45 on the last day)
    mlo = f"{lo - pd.DateOffset(months=1):%Y-%m}" if lo is not None else ""
    mhi = f"{hi:%Y-%m}" if hi is not None else "9999-99"
    parts, coverage = [], {}
    for name in (s for s in STREAMS if is_mentions(s)):
        d = C.stream_dir(ddir, name)
        if not d.exists():
            continue
        coverage[name] = mentions_coverage(ddir, name)
        for p in sorted((d / "rows").glob("????-??.parquet")):
            if mlo <= p.stem <= mhi:
                parts.append(C._guarded(pq.read_table, p, filters=filters,
                                        schema=C.rows_schema(name)))
    if not parts:
        df = _empty()
        df.attrs["coverage"] = coverage
        return df
    t = pa.concat_tables(parts)
    df = _tidy(t.to_pandas())
    day = df["mention_time"].dt.normalize()
    keep = pd.Series(True, index=df.index)
    if lo is not None:
        keep &= day >= lo
    if hi is not None:
        keep &= day <= hi
    df = df[keep]
    df = (df.drop_duplicates([c for c in df.columns if c != "source_file"])
          .sort_values(["GLOBALEVENTID", "mention_time", "url", "sentence_id"],
                       kind="stable")
          .reset_index(drop=True))
    df.attrs["coverage"] = coverage
    return df
