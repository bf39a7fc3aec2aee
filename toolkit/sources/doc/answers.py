"""DOC answers: checked before they are cached, then read into tidy frames.

An HTTP-200 body from the DOC API is trusted only once :func:`validate_answer` has checked its
shape (series of ``{"date", "value", "norm"}`` points, or articles with a URL and a
``seendate``), its dates and its numbers, and dropped the repeats of a date (the first value is
kept, with a warning); :mod:`toolkit.sources.doc.query` runs it on every answer before it is
written to the cache and again on every cached file it reads. :func:`parse_timeline` and
:func:`parse_articles` then turn a checked answer into the :data:`TIMELINE` and
:data:`ARTICLES` frames (steps finer than a day aggregated to days, with a warning). Nothing
here makes a request or touches the cache.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import re
import warnings

import numpy as np
import pandas as pd

from ... import schema as S
from ...schema import coerce
from .client import InvalidAnswer

__all__ = ["ARTICLES", "TIMELINE", "parse_articles", "parse_timeline", "validate_answer"]

log = logging.getLogger("toolkit")

#: Columns of a DOC timeline frame (:data:`toolkit.schema.DOC_TIMELINE`).
TIMELINE = S.DOC_TIMELINE
#: Columns of a DOC article list (:data:`toolkit.schema.DOC_ARTICLES`).
ARTICLES = S.DOC_ARTICLES


# --------------------------------------------------------------------------------------------
# validation (before anything is cached, and again when a cached file is read)

_DATE_RE = re.compile(r"\d{8}T\d{6}Z\Z")
# keys the API puts beside "timeline" / "articles"; an object with other keys only is not an
# answer (e.g. {"error": ...} from something in front of the API)
_INFO_KEYS = {"query_details"}


def _number(v, what: str) -> None:
    # JSON numbers only; null is a missing value (NaN); "3", true, NaN and Infinity are not
    if v is None:
        return
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise InvalidAnswer(f"{what} is {v!r}, not a finite number")


def _check_date(d, what: str) -> None:
    if not isinstance(d, str) or not _DATE_RE.match(d):
        raise InvalidAnswer(f"{what} is {d!r}, not a date like '20240101T000000Z'")
    try:
        _dt.datetime.strptime(d, "%Y%m%dT%H%M%SZ")
    except ValueError:
        raise InvalidAnswer(f"{what} is {d!r}, not a real date") from None


def _validate_timeline(obj) -> tuple[dict, int]:
    if not isinstance(obj, dict):
        raise InvalidAnswer(f"the answer is a JSON {type(obj).__name__}, not an object")
    if "timeline" not in obj:
        if set(obj) <= _INFO_KEYS:
            return obj, 0  # {} (or details only): the API's answer when nothing matches
        raise InvalidAnswer(f"no 'timeline' in the answer (keys: {sorted(obj)[:5]})")
    tl = obj["timeline"]
    if not isinstance(tl, list):
        raise InvalidAnswer(f"'timeline' is a {type(tl).__name__}, not a list of series")
    seen: set[tuple[str, str]] = set()
    dropped = 0
    out = []
    for i, s in enumerate(tl):
        if not isinstance(s, dict) or not isinstance(s.get("series", ""), str) \
                or not isinstance(s.get("data", []), list):
            raise InvalidAnswer(f"timeline[{i}] is not a series with a 'data' list")
        name = s.get("series", "")
        data = []
        for j, pt in enumerate(s.get("data") or []):
            where = f"timeline[{i}].data[{j}]"
            if not isinstance(pt, dict):
                raise InvalidAnswer(f"{where} is not an object")
            _check_date(pt.get("date"), f"{where}.date")
            _number(pt.get("value"), f"{where}.value")
            _number(pt.get("norm"), f"{where}.norm")
            if (name, pt["date"]) in seen:
                dropped += 1  # the rule: the first value of a repeated step is kept
                continue
            seen.add((name, pt["date"]))
            data.append(pt)
        out.append({**s, "data": data})
    return ({**obj, "timeline": out} if dropped else obj), dropped


def _validate_articles(obj) -> tuple[dict, int]:
    if not isinstance(obj, dict):
        raise InvalidAnswer(f"the answer is a JSON {type(obj).__name__}, not an object")
    if "articles" not in obj:
        if set(obj) <= _INFO_KEYS:
            return obj, 0  # {}: no article matched
        raise InvalidAnswer(f"no 'articles' in the answer (keys: {sorted(obj)[:5]})")
    arts = obj["articles"]
    if not isinstance(arts, list):
        raise InvalidAnswer(f"'articles' is a {type(arts).__name__}, not a list")
    for i, a in enumerate(arts):
        if not isinstance(a, dict) or not isinstance(a.get("url"), str) or not a["url"]:
            raise InvalidAnswer(f"articles[{i}] has no 'url'")
        _check_date(a.get("seendate"), f"articles[{i}].seendate")
        for k, v in a.items():
            if v is not None and not isinstance(v, str):
                raise InvalidAnswer(f"articles[{i}].{k} is {v!r}, not text")
    return obj, 0


def validate_answer(obj, mode: str) -> tuple[dict, int]:
    """Check a parsed DOC answer for ``mode``; returns (the answer to keep, duplicates dropped).

    A timeline answer is ``{}`` (no match) or an object whose ``timeline`` is a list of
    ``{"series": str, "data": [{"date": "YYYYMMDDTHHMMSSZ", "value": number, "norm":
    number}]}`` (``norm`` optional, ``null`` allowed as a missing value). An article list is
    ``{}`` or ``{"articles": [{"url": str, "seendate": "YYYYMMDDTHHMMSSZ", ...}]}``.

    **Duplicate dates**: when one series lists the same step twice, the FIRST value is kept
    and the repeats dropped (counted in the second element). A DOC timeline gives one value
    per step: a share of all monitored articles, a mean tone, or a count of distinct
    articles; summing repeats would double-count the step and averaging would mix a value
    with a corrupt repeat, so a repeat is treated as a duplicated record, not extra data.
    The API lists steps in time order, so the first is the one in sequence.

    Raises
    ------
    toolkit.sources.doc.client.InvalidAnswer
        A ``ValueError`` saying what is wrong and where (e.g. ``timeline[0].data[3].date``).

    Examples
    --------
    >>> ans = {"timeline": [{"series": "Volume Intensity", "data": [
    ...     {"date": "20240101T000000Z", "value": 0.5},
    ...     {"date": "20240101T000000Z", "value": 9.0}]}]}
    >>> kept, dropped = validate_answer(ans, "timelinevol")
    >>> kept["timeline"][0]["data"], dropped
    ([{'date': '20240101T000000Z', 'value': 0.5}], 1)
    """
    return _validate_articles(obj) if mode == "artlist" else _validate_timeline(obj)



def _warn_duplicates(n: int, what: str) -> None:
    msg = (f"DOC answer for {what} listed {n} duplicate date(s) within a series; kept the "
           "first value of each (see toolkit.sources.doc.validate_answer)")
    log.warning("toolkit: %s", msg)
    warnings.warn(msg, stacklevel=4)


# --------------------------------------------------------------------------------------------
# parsing

def _label(series: str, mode: str) -> str:
    if mode in ("timelinesourcecountry", "timelinelang"):
        for suffix in (" Volume Intensity", " Volume"):
            if series.endswith(suffix):
                return series[: -len(suffix)]
    return series


def parse_timeline(response: dict, mode: str, query: str) -> pd.DataFrame:
    """Turn one DOC timeline JSON response into the tidy :data:`TIMELINE` frame.

    gdeltdoc's ``timeline_search`` builds a wide frame from the first series' dates and keeps
    ``norm`` only for one series, so the JSON is read here directly. Series names of
    ``timelinesourcecountry``/``timelinelang`` lose a trailing " Volume Intensity". Steps finer
    than a day are aggregated to days (sum for ``timelinevolraw``, mean otherwise) with a
    warning. An empty response (``{}`` or no series) gives an empty frame with the columns.
    The response is checked first (:func:`validate_answer`: an invalid one raises
    ``ValueError``; a repeated date keeps its first value, with a warning).
    """
    response, dropped = validate_answer(response, mode)
    if dropped:
        _warn_duplicates(dropped, repr(query))
    df = _parse_timeline_raw(response, mode, query)
    return TIMELINE.empty() if df is None else coerce(df, TIMELINE)


def _iso(d: str) -> str:
    # "20240101T000000Z" -> "2024-01-01T00:00:00" (numpy parses ISO quickly)
    return f"{d[0:4]}-{d[4:6]}-{d[6:8]}T{d[9:11]}:{d[11:13]}:{d[13:15]}"


def _parse_timeline_raw(response: dict, mode: str, query: str) -> pd.DataFrame | None:
    """Fast path of :func:`parse_timeline`: plain columns, no dtype coercion; None if empty."""
    dates, series, values, norms = [], [], [], []
    for s in (response or {}).get("timeline") or []:
        name = _label(str(s.get("series", "")), mode)
        for pt in s.get("data") or []:
            dates.append(_iso(pt.get("date", "")))
            series.append(name)
            values.append(pt.get("value"))
            norms.append(pt.get("norm", np.nan))
    if not dates:
        return None
    df = pd.DataFrame({
        "date": np.array(dates, dtype="datetime64[ns]"),
        "query": query, "mode": mode, "series": series,
        "value": pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(
            dtype=float),
        "norm": pd.to_numeric(pd.Series(norms, dtype=object), errors="coerce").to_numpy(
            dtype=float),
    })
    day = df["date"].dt.normalize()
    if (df["date"] != day).any():
        warnings.warn(f"DOC {mode} for {query!r} came in sub-daily steps; aggregating to days",
                      stacklevel=4)
        how = "sum" if mode == "timelinevolraw" else "mean"
        df = df.assign(date=day).groupby(["date", "query", "mode", "series"],
                                         as_index=False).agg(value=("value", how),
                                                             norm=("norm", how))
    return df


def parse_articles(response: dict, query: str) -> pd.DataFrame:
    """Turn one DOC artlist JSON response into the :data:`ARTICLES` frame."""
    arts = (response or {}).get("articles") or []
    if not arts:
        return ARTICLES.empty()
    df = pd.DataFrame(arts)
    for c in ARTICLES.names:
        if c not in df.columns:
            df[c] = ""
    df["seendate"] = pd.to_datetime(df["seendate"], format="%Y%m%dT%H%M%SZ", errors="coerce")
    df["query"] = query
    return coerce(df.fillna({c: "" for c in ARTICLES.names if c != "seendate"}), ARTICLES)

