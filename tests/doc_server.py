"""A local stand-in for the DOC 2.0 API, for tests, benchmarks and offline trials.

A test helper, not part of the shipped package: tests import it as ``doc_server`` (pytest puts
``tests/`` on the path) and ``benchmarks/bench_doc.py`` adds ``tests/`` to ``sys.path``.

:class:`FakeDocAPI` runs a threaded :mod:`http.server` on 127.0.0.1 that answers
``/api/v2/doc/doc`` with the API's JSON shapes (reference/gdelt-facts.md section 3):
timelines at the resolution the real API uses for the requested span (under 72 h 15-minute
steps, under a week hourly, else daily) and article lists capped at ``maxrecords`` (≤ 250).
It records every request (arrival time, parameters, status) and can inject faults.

It never talks to the internet; values are deterministic functions of (query, mode, time).

Examples
--------
>>> with FakeDocAPI(min_interval=0.1) as api:  # doctest: +SKIP
...     df = toolkit.doc_timeline("rus-kor", "2024-01-01", "2024-03-31", base_url=api.url,
...                               interval=0.1)
...     api.request_count, api.violations
(1, 0)
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd

PATH = "/api/v2/doc/doc"
RATE_LIMIT_TEXT = ("Please limit requests to one every 5 seconds or contact "
                   "kalev.leetaru5@gmail.com for larger queries.")
_SERIES = {
    "timelinevol": ["Volume Intensity"],
    "timelinevolraw": ["Article Count"],
    "timelinetone": ["Average Tone"],
    "timelinesourcecountry": ["Russia Volume Intensity", "South Korea Volume Intensity",
                              "United States Volume Intensity"],
    "timelinelang": ["English Volume Intensity", "Korean Volume Intensity"],
}
_TS = "%Y%m%dT%H%M%SZ"


def _unit(*parts) -> float:
    """Deterministic pseudo-random number in [0, 1) from the parts."""
    h = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64


def resolution(start: pd.Timestamp, end: pd.Timestamp) -> pd.Timedelta:
    """Step the real API uses for a span: <72 h 15 min, <1 week hourly, else daily."""
    span = end - start
    if span < pd.Timedelta(hours=72):
        return pd.Timedelta(minutes=15)
    if span < pd.Timedelta(days=7):
        return pd.Timedelta(hours=1)
    return pd.Timedelta(days=1)


class FakeDocAPI:
    """Threaded local DOC API. Use as a context manager or call :meth:`start`/:meth:`stop`.

    Parameters
    ----------
    min_interval : float, optional
        Enforce pacing like GDELT: a request arriving sooner than this after the previous one
        gets HTTP 429 and counts in :attr:`violations`.
    articles_per_day : int
        Size of the synthetic article population for ``artlist`` (evenly spread in time).
    empty_terms : tuple of str
        Queries containing one of these get ``{}`` (no results).

    Attributes
    ----------
    log : list of dict
        One entry per request: ``t`` (arrival, Unix s), ``params`` (dict), ``status``.
    script : collections.deque
        Faults consumed one per request, before normal handling: ``"429"``, ``"429:N"``
        (Retry-After N s), ``"500"``/``"503"``, ``"sleep:S"`` (delay S s, then answer
        normally), ``"text:MESSAGE"`` (HTTP 200 text/plain), ``"html:MESSAGE"``,
        ``"ratelimit-text"`` (HTTP 200 rate-limit notice), ``"bad-json"``, ``"ok"``, or a
        raw answer ``(status, content_type, body_bytes[, headers])`` sent as is (e.g. a
        proxy's HTML 502 page with status 200, a truncated or deeply nested body; a
        ``Content-Length`` in ``headers`` replaces the true one, to cut a body short).
    """

    def __init__(self, *, min_interval: float | None = None, articles_per_day: int = 40,
                 empty_terms: tuple[str, ...] = ("nothingmatches",)) -> None:
        self.min_interval = min_interval
        self.articles_per_day = articles_per_day
        self.empty_terms = empty_terms
        self.log: list[dict] = []
        self.script: deque[str | tuple] = deque()
        self.violations = 0
        self._lock = threading.Lock()
        self._last_arrival: float | None = None
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):  # noqa: N802 (http.server's name)
                api._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The endpoint URL to pass as ``base_url``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}{PATH}"

    @property
    def request_count(self) -> int:
        return len(self.log)

    def start(self) -> FakeDocAPI:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeDocAPI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def arrival_gaps(self) -> np.ndarray:
        """Seconds between consecutive request arrivals."""
        return np.diff(sorted(e["t"] for e in self.log))

    def reset(self) -> None:
        with self._lock:
            self.log.clear()
            self.violations = 0

    # -- request handling ------------------------------------------------------------------
    def _send(self, h, status: int, body: str | bytes, ctype: str = "application/json",
              headers: dict | None = None) -> None:
        data = body if isinstance(body, bytes) else body.encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            if "Content-Length" not in (headers or {}):
                h.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    def _handle(self, h) -> None:
        t = time.time()
        u = urlparse(h.path)
        params = {k.lower(): v[0] for k, v in parse_qs(u.query).items()}
        with self._lock:
            action = self.script.popleft() if self.script else "ok"
            too_soon = (self.min_interval is not None and self._last_arrival is not None
                        and t - self._last_arrival < self.min_interval)
            self._last_arrival = t
            if too_soon:
                self.violations += 1
            entry = {"t": t, "params": params, "status": None, "action": action}
            self.log.append(entry)
        if u.path != PATH:
            entry["status"] = 404
            return self._send(h, 404, "not found", "text/plain")
        if too_soon:
            entry["status"] = 429
            return self._send(h, 429, RATE_LIMIT_TEXT, "text/plain")
        if isinstance(action, tuple):  # a raw answer, sent as is
            status, ctype, body, *hdr = action
            entry["status"] = status
            entry["action"] = f"raw:{status}:{ctype}:{len(body)} bytes"
            return self._send(h, status, body, ctype, hdr[0] if hdr else None)
        kind, _, arg = action.partition(":")
        if kind == "429":
            entry["status"] = 429
            hdr = {"Retry-After": arg} if arg else None
            return self._send(h, 429, RATE_LIMIT_TEXT, "text/plain", hdr)
        if kind in ("500", "502", "503"):
            entry["status"] = int(kind)
            return self._send(h, int(kind), "<html>Server Error</html>", "text/html")
        if kind == "text":
            entry["status"] = 200
            return self._send(h, 200, arg + "\n", "text/plain")
        if kind == "html":
            entry["status"] = 200
            return self._send(h, 200, f"<html><body>{arg}</body></html>", "text/html")
        if kind == "ratelimit-text":
            entry["status"] = 200
            return self._send(h, 200, RATE_LIMIT_TEXT, "text/plain")
        if kind == "bad-json":
            entry["status"] = 200
            return self._send(h, 200, '{"timeline": [', "application/json")
        if kind == "sleep":
            time.sleep(float(arg))
        entry["status"] = 200
        self._send(h, 200, json.dumps(self.respond(params)))

    def respond(self, params: dict) -> dict:
        """The JSON body for a (fault-free) request."""
        mode = params.get("mode", "").lower()
        query = params.get("query", "")
        if any(term in query for term in self.empty_terms):
            return {}
        start = pd.to_datetime(params["startdatetime"], format="%Y%m%d%H%M%S")
        end = pd.to_datetime(params["enddatetime"], format="%Y%m%d%H%M%S")
        if mode == "artlist":
            return {"articles": self._articles(query, start, end,
                                               int(params.get("maxrecords", 75)))}
        step = resolution(start, end)
        first = start.floor(step).to_pydatetime()
        n = int((end.to_pydatetime() - first) / step.to_pytimedelta()) + 1
        stamps = [(first + k * step.to_pytimedelta()).strftime(_TS) for k in range(n)]
        res = {pd.Timedelta(days=1): "day", pd.Timedelta(hours=1): "hour"}.get(step, "15min")
        timeline = []
        for s in _SERIES[mode]:
            data = []
            for ts in stamps:
                u = _unit(query, mode, s, ts)
                pt = {"date": ts}
                if mode == "timelinetone":
                    pt["value"] = round(-6 + 8 * u, 4)
                elif mode == "timelinevolraw":
                    pt["value"] = int(1000 * u)
                    pt["norm"] = 200_000 + int(1000 * _unit("norm", ts))
                else:
                    pt["value"] = round(u, 4)
                data.append(pt)
            timeline.append({"series": s, "data": data})
        return {"query_details": {"title": query, "date_resolution": res},
                "timeline": timeline}

    def _articles(self, query: str, start: pd.Timestamp, end: pd.Timestamp,
                  maxrecords: int) -> list[dict]:
        gap = 86400 / self.articles_per_day
        t0 = start.value // 10**9
        first = int(np.ceil(t0 / gap))
        last = int((end.value // 10**9) // gap)
        tag = hashlib.md5(query.encode()).hexdigest()[:8]
        arts = [{
            # a syndicated piece that every window returns: callers must deduplicate
            "url": f"https://wire.example/{tag}/syndicated", "url_mobile": "",
            "title": "Syndicated", "seendate": start.strftime(_TS), "socialimage": "",
            "domain": "wire.example", "language": "English", "sourcecountry": "United States"}]
        for k in range(first, last + 1):
            ts = pd.Timestamp(int(k * gap), unit="s")
            arts.append({"url": f"https://news.example/{tag}/{k}", "url_mobile": "",
                         "title": f"Article {k}", "seendate": ts.strftime(_TS),
                         "socialimage": "", "domain": "news.example",
                         "language": "Korean" if k % 3 else "Russian",
                         "sourcecountry": "South Korea" if k % 3 else "Russia"})
        # the API returns the most relevant maxrecords, not the first ones
        arts.sort(key=lambda a: _unit(a["url"]))
        return arts[:maxrecords]
