"""GDELT DOC 2.0 API: coverage volume and tone timelines, paced, cached and resumable.

The Events cube says who did what to whom; the DOC API says how much the world's media talked
about a dyad, in what tone, and (split by source country) whose media carried it.

Public functions
----------------
:func:`doc_timeline`
    One query × one mode over [start, end] as a tidy long frame (fetches what the cache lacks).
:func:`doc_articles`
    Article lists, sliced in time past the API's 250-record cap, deduplicated on URL.
:func:`load_doc_timelines`
    For notebooks: cached real timelines when they cover the request, else the SYNTHETIC demo.

How a request is made
---------------------
* **Query**: a registry name (``"rus-kor"``, ``"rus-kor@russian"``) or raw DOC text; see
  :mod:`toolkit.sources.doc.registry` and ``data/doc_queries.toml``.
* **Windows**: [start, end] is cut on the calendar-quarter grid (Jan–Mar, Apr–Jun, ...), so a
  window is at most 92 days — inside the API's documented 3-month span — and always longer
  than a week, which keeps daily resolution. GDELT's DOC documentation gives the rule: a
  timeline spanning under 72 hours comes in 15-minute steps, 72 hours to a week hourly, more
  than a week daily. This cannot be checked offline, so every response is checked instead:
  steps finer than a day are aggregated to days with a warning (sum for raw counts, mean
  otherwise). A quarter clipped at today to less than :data:`MIN_DAILY_SPAN` is requested over
  the last 8 days instead and the days before the window dropped. Windows are stitched and
  any overlap is dropped.
* **Earliest date**: 2017-01-01. GDELT's DOC documentation says the API searches "back to
  January 1, 2017" in one place and "the last 3 months" in another; probes report 2017 dates
  answered and 2014–2015 rejected. Earlier starts raise before any request; answers for old
  dates are what the API gives, not guaranteed complete.
* **Pacing / retries / errors**: :mod:`toolkit.sources.doc.client` (one request per
  ``interval`` seconds for every process sharing the data dir; backoff on 429/5xx/timeouts
  and on HTTP-200 error pages of a proxy; other HTTP-200 text bodies become
  :class:`DocQueryError`; bodies over 16 MiB are cut off).
* **Validation**: every answer is checked by :func:`validate_answer`
  (:mod:`toolkit.sources.doc.answers`) BEFORE it is cached; an invalid one is retried and then
  raises :class:`DocBadAnswer` naming the query and window. A repeated date keeps its first
  value (with a warning).
* **Cache**: :mod:`toolkit.sources.doc.cache`; finished windows are never requested again; a
  damaged or invalid cache file is ignored with a warning and fetched again.

Examples
--------
>>> import toolkit
>>> df = toolkit.doc_timeline("rus-kor", "2026-02-01", "2026-03-15", mode="timelinetone",
...                           source="demo")
>>> sorted(df.columns) == sorted(["date", "query", "mode", "series", "value", "norm"])
True
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import pandas as pd

from ...config import data_dir as _data_dir
from ...dates import parse_range
from ...schema import coerce
from . import cache as doc_cache
from .answers import (
    ARTICLES,
    TIMELINE,
    _parse_timeline_raw,
    _warn_duplicates,
    parse_articles,
    validate_answer,
)
from .client import (
    DocBadAnswer,
    DocClient,
    DocError,
    DocHTTPError,
    DocQueryError,
    DocRateLimitError,
    InvalidAnswer,
)
from .registry import QuerySpec, load_registry

__all__ = [
    "ARTICLES", "DocBadAnswer", "DocError", "DocHTTPError", "DocQueryError",
    "DocRateLimitError", "EARLIEST", "MODES", "TIMELINE", "doc_articles", "doc_timeline",
    "load_doc_timelines", "timeline_windows", "validate_answer",
]

log = logging.getLogger("toolkit")

#: Timeline modes and what their ``series`` / ``value`` / ``norm`` hold.
MODES: dict[str, str] = {
    "timelinevol": "series 'Volume Intensity'; value = matching articles as % of all articles "
                   "GDELT monitored that day",
    "timelinevolraw": "series 'Article Count'; value = matching articles; norm = all articles "
                      "monitored that day",
    "timelinetone": "series 'Average Tone'; value = mean tone of matching articles "
                    "(about -10..+10)",
    "timelinesourcecountry": "one series per source country (e.g. 'Russia'); value = volume "
                             "intensity of matching coverage from that country",
    "timelinelang": "one series per language (e.g. 'Korean'); value = volume intensity of "
                    "matching coverage in that language",
}
#: First day the toolkit asks the API for (see the module docstring for the uncertainty).
EARLIEST = pd.Timestamp("2017-01-01")
#: Shortest request span that still gets daily steps (the API: more than a week).
MIN_DAILY_SPAN = pd.Timedelta(days=8)
#: Artlist windows are not split below this span (the API's smallest TIMESPAN is 15 minutes).
MIN_ARTLIST_SPAN = pd.Timedelta(minutes=15)
ARTLIST_CAP = 250
_SOURCES_TIMELINE = ("auto", "api", "cache", "demo")
_SOURCES_LOAD = ("auto", "cache", "demo")
_STEP = pd.Timedelta(seconds=1)


# --------------------------------------------------------------------------------------------
# input checks (all before any request)

def _now() -> pd.Timestamp:
    """Current time as a naive UTC Timestamp (tests monkeypatch this)."""
    return pd.Timestamp.now(tz="UTC").tz_localize(None)


def _check_mode(mode: str) -> str:
    if not isinstance(mode, str) or mode.lower() not in MODES:
        raise ValueError(f"Unknown DOC timeline mode {mode!r}; choose one of "
                         f"{', '.join(MODES)} (article lists: toolkit.doc_articles)")
    return mode.lower()


def _check_source(source: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(source, str) or source.lower() not in allowed:
        raise ValueError(f"Unknown source {source!r}; choose one of {', '.join(allowed)}")
    return source.lower()


def _check_days(start, end, now: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Parse an inclusive day range for the API: not before 2017-01-01, end clipped to today."""
    if start is None or end is None:
        raise ValueError("start and end are required for DOC API requests, e.g. "
                         "start='2024-01-01', end='2024-12-31'")
    s, e = parse_range(start, end)
    if s < EARLIEST:
        raise ValueError(
            f"start {s.date()} is before {EARLIEST.date()}, the earliest date the DOC API is "
            "documented to answer (GDELT also calls only the last 3 months guaranteed); "
            "use start >= 2017-01-01, or the Events cube for older history")
    today = now.normalize()
    if s > today:
        raise ValueError(f"start {s.date()} is in the future (today is {today.date()} UTC)")
    if e > today:
        log.info("toolkit: DOC end %s is after today; using %s", e.date(), today.date())
        e = today
    return s, e


# --------------------------------------------------------------------------------------------
# windows

def timeline_windows(start, end, now: pd.Timestamp | None = None
                     ) -> list[tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp, pd.Timestamp]]:
    """The request windows covering the days [start, end].

    Returns
    -------
    list of (window_start, window_end, request_start, request_end)
        Naive UTC timestamps, ends inclusive to the second. Windows are calendar quarters
        (the cache key); the request for the quarter holding today ends today 23:59:59, and
        ``request_start`` is moved back when that leaves less than :data:`MIN_DAILY_SPAN`.

    Examples
    --------
    >>> w = timeline_windows("2024-02-10", "2024-05-01", now=pd.Timestamp("2025-01-01"))
    >>> [(a.date().isoformat(), b.date().isoformat()) for a, b, _, _ in w]
    [('2024-01-01', '2024-03-31'), ('2024-04-01', '2024-06-30')]
    """
    now = _now() if now is None else pd.Timestamp(now)
    s, e = parse_range(start, end)
    today_end = now.normalize() + pd.Timedelta(days=1) - _STEP
    out = []
    for q in pd.period_range(s, e, freq="Q"):
        ws = q.start_time
        we = q.end_time.normalize() + pd.Timedelta(days=1) - _STEP
        re_ = min(we, today_end)
        rs = ws if re_ - ws + _STEP >= MIN_DAILY_SPAN else re_ + _STEP - MIN_DAILY_SPAN
        out.append((ws, we, rs, re_))
    return out


# --------------------------------------------------------------------------------------------
# fetching with the cache

class _Fetcher:
    """Cache-first window fetching for one data dir; counts requests and cache hits."""

    def __init__(self, data_dir, client: DocClient | None, ttl: float, now: pd.Timestamp):
        self.data_dir = Path(data_dir)
        self.client = client
        self.ttl = ttl
        self.now = now
        self.hits = 0
        self.provenance: list[dict] = []
        self._warned: set[Path] = set()

    def _load(self, path: Path, mode: str) -> dict | None:
        """The entry at ``path`` if it is readable and holds a valid answer, else None.

        A damaged file, or one holding an answer that is not valid for ``mode`` (cached
        before answers were validated), counts as missing, with a warning naming it; the next
        fetch of the window replaces it.
        """
        entry, problem = doc_cache.inspect(path)
        if entry is not None:
            try:
                response, dropped = validate_answer(entry["response"], mode)
            except InvalidAnswer as exc:
                entry, problem = None, f"it holds no valid DOC {mode} answer ({exc})"
            else:
                if dropped and path not in self._warned:
                    self._warned.add(path)
                    _warn_duplicates(dropped, str(path))
                entry = {**entry, "response": response}
        if problem is not None and path not in self._warned:
            self._warned.add(path)
            action = "fetching it again" if self.client is not None else \
                "treating the window as not cached"
            msg = f"DOC cache file {path} is ignored: {problem}; {action}"
            log.warning("toolkit: %s", msg)
            warnings.warn(msg, stacklevel=5)
        return entry

    def cached(self, path: Path, needed_end: pd.Timestamp, mode: str) -> dict | None:
        """The cached entry for a window if it serves the days up to ``needed_end``."""
        entry = self._load(path, mode)
        if entry is None:
            return None
        prov = entry["provenance"]
        if doc_cache.usable(prov, now=self.now, ttl=self.ttl):  # final, or within its TTL
            return entry
        fetched = pd.Timestamp(prov["fetched_at"]).tz_convert("UTC").tz_localize(None)
        if fetched >= needed_end + doc_cache.SETTLE:
            return entry  # unfinished window, but the part we need had settled when fetched
        if self.client is None and pd.Timestamp(prov["request_end"]) >= needed_end:
            return entry  # offline: it reaches far enough, use it even past its TTL
        return None

    def window(self, spec: QuerySpec, mode: str, ws, we, rs, re_, needed_end,
               maxrecords: int = ARTLIST_CAP) -> dict:
        path = doc_cache.window_path(self.data_dir, spec.key, mode, ws, we)
        entry = self.cached(path, needed_end, mode)
        if entry is None:
            if self.client is None:
                raise LookupError(path)
            params = {**spec.filter_params(rs, re_, maxrecords), "mode": mode, "format": "json"}
            what = f"{spec.label!r} {mode} window {ws.date()}..{we.date()}"
            holder: dict = {}

            def validate(obj):
                obj, dropped = validate_answer(obj, mode)
                if dropped:
                    _warn_duplicates(dropped, what)
                return obj

            def save(obj: dict, url: str) -> None:
                holder["entry"] = doc_cache.write(
                    path, obj, url=url, query=spec.label, query_text=spec.text, mode=mode,
                    window=(ws, we), request=(rs, re_), fetched_at=_now())

            got, url = self.client.get(params, cached=lambda: self.cached(path, needed_end, mode),
                                       save=save, validate=validate, what=what)
            if url is None:  # a peer process wrote it while we waited for the pace slot
                entry = got
                self.hits += 1
                from_cache = True
            else:
                entry = holder["entry"]
                from_cache = False
        else:
            self.hits += 1
            from_cache = True
        self.provenance.append({**entry["provenance"], "from_cache": from_cache})
        return entry


def _client(data_dir, base_url, interval, timeout, retries, backoff) -> DocClient:
    return DocClient(data_dir, base_url=base_url, interval=interval, timeout=timeout,
                     retries=retries, backoff=backoff)


def _timeline(spec: QuerySpec, mode: str, s: pd.Timestamp, e: pd.Timestamp,
              fetcher: _Fetcher, progress: bool = False) -> pd.DataFrame:
    wins = timeline_windows(s, e, fetcher.now)
    it = wins
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(wins, desc=f"DOC {spec.label} {mode}", unit="window")
    parts = []
    end_needed = e + pd.Timedelta(days=1) - _STEP
    for ws, we, rs, re_ in it:
        entry = fetcher.window(spec, mode, ws, we, rs, re_, min(re_, end_needed))
        part = _parse_timeline_raw(entry["response"], mode, spec.label)
        if part is not None:
            # drop what the request returned outside its window (short windows reach back)
            parts.append(part[(part["date"] >= ws) & (part["date"] <= we)])
    if not parts:
        return TIMELINE.empty()
    df = pd.concat(parts, ignore_index=True)
    df = df[(df["date"] >= s) & (df["date"] <= e)]
    df = df.drop_duplicates(["date", "series"], keep="last")
    return coerce(df.sort_values(["series", "date"]).reset_index(drop=True), TIMELINE)


def doc_timeline(query: str, start, end, *, mode: str = "timelinevol", source: str = "auto",
                 media: str | None = None, base_url: str | None = None,
                 data_dir: str | os.PathLike | None = None, interval: float | None = None,
                 timeout: float = 60.0, retries: int = 5, backoff: float = 5.0,
                 ttl: float = 3600.0, registry: str | os.PathLike | None = None,
                 progress: bool = False) -> pd.DataFrame:
    """Coverage volume or tone of one DOC query over an inclusive day range.

    Parameters
    ----------
    query : str
        Registry name (``"rus-kor"``, ``"rus-kor@russian"``) or raw DOC query text; see
        :mod:`toolkit.sources.doc.registry` for how the two are told apart.
    start, end : str or date
        First and last UTC day (``"YYYY-MM-DD"``); not before 2017-01-01; an end after today
        is clipped to today.
    mode : str
        One of :data:`MODES`: ``timelinevol`` (default), ``timelinevolraw``, ``timelinetone``,
        ``timelinesourcecountry``, ``timelinelang``.
    source : {"auto", "api", "cache", "demo"}
        ``auto``/``api``: cached windows, and the API for the rest; ``cache``: cached windows
        only (``LookupError`` naming the fetch command if one is missing); ``demo``: the
        SYNTHETIC demo timelines (registry queries only, no network).
    media : str, optional
        Media restriction from the registry's ``[media]`` table (same as ``QUERY@MEDIA``).
    base_url : str, optional
        API endpoint (argument > ``GDELT_DOC_URL`` > GDELT's own).
    data_dir : path, optional
        Cache directory (``TOOLKIT_DATA_DIR`` or ``data/cache``); responses go in ``doc/``.
    interval : float, optional
        Seconds between requests, for all processes sharing ``data_dir`` (default
        ``TOOLKIT_DOC_INTERVAL`` or 5).
    timeout, retries, backoff : float, int, float
        Per-request timeout (s), retries on 429/5xx/timeouts, backoff base (s).
    ttl : float
        Seconds a cached window that was not finished when fetched (the one holding today)
        is reused before being fetched again (default 3600).
    registry : path, optional
        Query registry file to use instead of ``data/doc_queries.toml``.
    progress : bool
        Show a tqdm bar over the windows.

    Returns
    -------
    DataFrame
        :data:`TIMELINE` columns ``date, query, mode, series, value, norm``, one row per
        (date, series), daily. ``attrs``: ``source`` ("api" when anything was fetched now,
        "cache", or "demo"), ``synthetic``, ``requests`` (HTTP requests made), ``cache_hits``,
        ``provenance`` (per window: URL, fetched_at, toolkit_version, from_cache), ``query_text``.

    Raises
    ------
    ValueError
        Unknown mode, query name, media or source; malformed, reversed or too-early dates.
    DocQueryError
        The API rejected the query (carries the API's message and the query).
    DocBadAnswer
        Every attempt got HTTP 200 with an answer that is not a valid timeline (empty,
        malformed, over the size cap, wrong shape); nothing of it was cached.
    DocHTTPError
        The API kept failing after the retries.
    toolkit.errors.CacheCorrupt
        ``<data_dir>/doc/pace.json`` is damaged (delete it and rerun).

    Warns
    -----
    UserWarning
        A repeated date in an answer (the first value is kept); a cache file that is damaged
        or holds an invalid answer (ignored and fetched again).

    Examples
    --------
    >>> df = doc_timeline("rus-prk", "2024-06-01", "2024-06-30", source="demo")
    >>> df.attrs["synthetic"]
    True
    """
    mode = _check_mode(mode)
    source = _check_source(source, _SOURCES_TIMELINE)
    spec = load_registry(registry).resolve(query, media)
    now = _now()
    s, e = _check_days(start, end, now)
    if source == "demo":
        from ..demo import doc as doc_demo

        return doc_demo.read(spec.label, mode, s, e)
    ddir = _data_dir(data_dir)
    client = None if source == "cache" else _client(ddir, base_url, interval, timeout,
                                                     retries, backoff)
    fetcher = _Fetcher(ddir, client, ttl, now)
    try:
        df = _timeline(spec, mode, s, e, fetcher, progress)
    except LookupError:
        raise LookupError(
            f"The DOC cache in {ddir} lacks {spec.label!r} {mode} for {s.date()}..{e.date()}; "
            f"fetch it: toolkit fetch doc --query '{spec.label}' --mode {mode} "
            f"--start {s.date()} --end {e.date()}") from None
    made = client.requests_made if client else 0
    df.attrs.update({"source": "api" if made else "cache", "synthetic": False,
                     "note": "GDELT DOC 2.0 API", "query_text": spec.text, "requests": made,
                     "cache_hits": fetcher.hits, "provenance": fetcher.provenance,
                     "start": f"{s:%Y-%m-%d}", "end": f"{e:%Y-%m-%d}"})
    log.info("toolkit: DOC %s %s %s..%s: %d requests, %d cached windows", spec.label, mode,
             s.date(), e.date(), made, fetcher.hits)
    return df


# --------------------------------------------------------------------------------------------
# articles

def _article_windows(spec, s, e, fetcher, truncated: list) -> list[pd.DataFrame]:
    now = fetcher.now
    today_end = now.normalize() + pd.Timedelta(days=1) - _STEP
    last = min(e + pd.Timedelta(days=1) - _STEP, today_end)
    todo = []
    for q in pd.period_range(s, e, freq="Q"):
        ws = max(q.start_time, s)
        we = min(q.end_time.normalize() + pd.Timedelta(days=1) - _STEP, last)
        todo.append((ws, we))
    parts = []
    while todo:
        ws, we = todo.pop(0)
        entry = fetcher.window(spec, "artlist", ws, we, ws, we, we)
        arts = parse_articles(entry["response"], spec.label)
        if len(arts) >= ARTLIST_CAP and we - ws + _STEP > MIN_ARTLIST_SPAN:
            # capped: the window holds more than the API returns; split it in two
            mid = (ws + (we - ws) / 2).floor("s")
            todo[:0] = [(ws, mid), (mid + _STEP, we)]
            continue
        if len(arts) >= ARTLIST_CAP:
            truncated.append((ws, we))
        parts.append(arts)
    return parts


def doc_articles(query: str, start, end, *, media: str | None = None,
                 base_url: str | None = None, data_dir: str | os.PathLike | None = None,
                 interval: float | None = None, timeout: float = 60.0, retries: int = 5,
                 backoff: float = 5.0, ttl: float = 3600.0,
                 registry: str | os.PathLike | None = None) -> pd.DataFrame:
    """Articles matching a DOC query, past the API's 250-record cap.

    Each calendar-quarter window (clipped to [start, end]) is requested with
    ``maxrecords=250``; a window that returns 250 records is split in two and both halves are
    requested, down to 15 minutes. Results are deduplicated on URL. Every response is cached
    like timeline windows, so a rerun makes no requests. Parameters as :func:`doc_timeline`.

    Returns
    -------
    DataFrame
        :data:`ARTICLES` columns, sorted by ``seendate`` (naive UTC datetime64). ``attrs``:
        ``requests``, ``cache_hits``, ``provenance``, ``truncated`` (15-minute windows that
        still hit the cap: some articles there are missing).

    Examples
    --------
    >>> arts = doc_articles("rus-kor", "2026-02-20", "2026-02-22")  # doctest: +SKIP
    """
    spec = load_registry(registry).resolve(query, media)
    now = _now()
    s, e = _check_days(start, end, now)
    ddir = _data_dir(data_dir)
    client = _client(ddir, base_url, interval, timeout, retries, backoff)
    fetcher = _Fetcher(ddir, client, ttl, now)
    truncated: list = []
    parts = _article_windows(spec, s, e, fetcher, truncated)
    df = pd.concat(parts, ignore_index=True) if parts else ARTICLES.empty()
    df = df.sort_values(["seendate", "url"]).drop_duplicates("url", keep="first")
    df = coerce(df.reset_index(drop=True), ARTICLES)
    if truncated:
        warnings.warn(f"{len(truncated)} windows of 15 minutes still returned "
                      f"{ARTLIST_CAP} articles for {spec.label!r}; some articles are missing",
                      stacklevel=2)
    df.attrs.update({"source": "api" if client.requests_made else "cache", "synthetic": False,
                     "note": "GDELT DOC 2.0 API (artlist)", "query_text": spec.text,
                     "requests": client.requests_made, "cache_hits": fetcher.hits,
                     "provenance": fetcher.provenance,
                     "truncated": [(f"{a}", f"{b}") for a, b in truncated]})
    return df


# --------------------------------------------------------------------------------------------
# notebooks

def load_doc_timelines(queries=None, modes=None, start=None, end=None, *,
                       source: str = "auto", data_dir: str | os.PathLike | None = None,
                       registry: str | os.PathLike | None = None) -> pd.DataFrame:
    """Timelines for several queries and modes, without touching the network.

    Parameters
    ----------
    queries : list of str, optional
        Query names (``NAME`` or ``NAME@MEDIA``); default: every ``[queries]`` entry of the
        registry (no media restriction).
    modes : list of str, optional
        Timeline modes; default ``["timelinevol", "timelinetone"]``.
    start, end : str or date, optional
        Inclusive UTC days; default: the demo's full range (2017-01-01..2026-10-31) for the
        demo, 2017-01-01..today for the cache.
    source : {"auto", "cache", "demo"}
        ``cache``: real responses cached by ``toolkit fetch doc`` (``LookupError`` naming the
        fetch command when something is missing); ``demo``: the SYNTHETIC demo timelines;
        ``auto``: the cache when it covers EVERY requested query, mode and day, else the demo
        (real and synthetic are never mixed in one frame). A damaged or invalid cache file
        counts as missing, with a warning naming it.

    Returns
    -------
    DataFrame
        :data:`TIMELINE` columns; ``attrs["source"]`` is "cache" or "demo",
        ``attrs["synthetic"]`` says whether it is synthetic.

    Examples
    --------
    >>> df = load_doc_timelines(["rus-kor@russian"], ["timelinetone"], "2026-02-01",
    ...                         "2026-03-31", source="demo")
    >>> df.attrs["source"], df.attrs["synthetic"]
    ('demo', True)
    """
    from ..demo import doc as doc_demo

    source = _check_source(source, _SOURCES_LOAD)
    reg = load_registry(registry)
    queries = list(reg.queries) if queries is None else (
        [queries] if isinstance(queries, str) else list(queries))
    modes = ["timelinevol", "timelinetone"] if modes is None else (
        [modes] if isinstance(modes, str) else list(modes))
    modes = [_check_mode(m) for m in modes]
    specs = [reg.resolve(q) for q in queries]
    now = _now()
    if source != "demo":
        cs, ce = _check_days(start if start is not None else EARLIEST,
                             end if end is not None else now.normalize(), now)
        ddir = _data_dir(data_dir)
        fetcher = _Fetcher(ddir, None, 3600.0, now)
        frames, missing = [], []
        for spec in specs:
            for m in modes:
                try:
                    frames.append(_timeline(spec, m, cs, ce, fetcher))
                except LookupError:
                    missing.append((spec.label, m))
        if not missing:
            df = coerce(pd.concat(frames, ignore_index=True), TIMELINE)
            df.attrs.update({"source": "cache", "synthetic": False,
                             "note": "GDELT DOC 2.0 API (cached)",
                             "provenance": fetcher.provenance,
                             "start": f"{cs:%Y-%m-%d}", "end": f"{ce:%Y-%m-%d}"})
            log.info("toolkit: DOC timelines from the cache (%d rows)", len(df))
            return df
        if source == "cache":
            q, m = missing[0]
            raise LookupError(
                f"The DOC cache in {ddir} lacks {len(missing)} query/mode pairs for "
                f"{cs.date()}..{ce.date()}, e.g. {q!r} {m}; fetch with: toolkit fetch doc "
                f"--query '{q}' --mode {m} --start {cs.date()} --end {ce.date()}")
        log.info("toolkit: DOC cache lacks %d query/mode pairs; using the SYNTHETIC demo",
                 len(missing))
    s, e = parse_range(start, end)
    frames = [doc_demo.read(spec.label, m, s, e) for spec in specs for m in modes]
    df = coerce(pd.concat(frames, ignore_index=True), TIMELINE)
    df.attrs.update(frames[0].attrs)
    df.attrs["requested_source"] = source
    return df
