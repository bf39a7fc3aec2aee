"""HTTP for the DOC 2.0 API: session, timeout, pacing, retries and the API's error bodies.

gdeltdoc builds the query (:class:`gdeltdoc.Filters`) and repairs malformed JSON
(:func:`gdeltdoc.helpers.load_json`), but sends requests with no timeout, retry or pacing, so
the toolkit sends them itself through :class:`DocClient`.

What the API does and what the client makes of it:

=======================================  ===================================================
API behaviour                            client
=======================================  ===================================================
HTTP 429                                 wait ``Retry-After`` (seconds or HTTP date) or an
                                         exponential backoff, shared with other processes
                                         through the pacer; retry
HTTP 200 "Please limit requests to ..."  same as 429
HTTP 5xx, timeout, connection error      exponential backoff; retry
HTTP 200 with a plain-text/HTML message  :class:`DocQueryError` (the API's message + query)
HTTP 200 with an empty body or ``{}``    an empty result
other HTTP 4xx                           :class:`DocHTTPError`, no retry
=======================================  ===================================================
"""

from __future__ import annotations

import html
import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

import requests

from .. import __version__
from ..config import doc_url
from ..httputil import retry_after_seconds
from .doc_pacing import Pacer

log = logging.getLogger("toolkit")

USER_AGENT = (f"gdelt-rhetoric-toolkit/{__version__} (research; python-requests/"
              f"{requests.__version__}; paced to GDELT's 1 request per 5 s)")


DEFAULT_INTERVAL = 5.0


def doc_interval(interval: float | None = None) -> float:
    """Seconds between DOC requests: argument > ``TOOLKIT_DOC_INTERVAL`` > 5 (GDELT's ask)."""
    if interval is not None:
        return float(interval)
    env = os.environ.get("TOOLKIT_DOC_INTERVAL", "").strip()
    if not env:
        return DEFAULT_INTERVAL
    try:
        return float(env)
    except ValueError:
        raise ValueError(f"TOOLKIT_DOC_INTERVAL={env!r} is not a number of seconds") from None


class DocError(RuntimeError):
    """A DOC API request failed (after retries where they apply)."""


class DocHTTPError(DocError):
    """The API answered with an HTTP error, or never answered, after all retries.

    Attributes: ``status`` (int or None for timeouts), ``url``, ``body`` (first 500 chars).
    """

    def __init__(self, message: str, *, status: int | None = None, url: str = "",
                 body: str = "") -> None:
        super().__init__(message)
        self.status, self.url, self.body = status, url, body


class DocRateLimitError(DocHTTPError):
    """Still rate-limited after all retries, or told to wait longer than allowed."""


class DocQueryError(DocError, ValueError):
    """The API rejected the query (HTTP 200 with a text message instead of JSON).

    Attributes: ``api_message`` (the API's words), ``query`` (the DOC query text), ``url``.
    Also a :class:`ValueError`: it is bad input, fixed by changing the query.
    """

    def __init__(self, api_message: str, *, query: str, url: str = "") -> None:
        self.api_message, self.query, self.url = api_message, query, url
        super().__init__(
            f"The DOC API rejected the query {query!r}: {api_message!r}. Typical causes: OR "
            "outside parentheses, parentheses around non-OR'd terms, short quoted words such "
            "as \"DPRK\"; see data/doc_queries.toml for the rules.")


_RATE_LIMIT_TEXT = re.compile(r"limit requests|too many requests|rate limit", re.I)


def _text_message(body: str) -> str:
    txt = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(txt).split())[:500]


class DocClient:
    """A paced, retrying DOC API client bound to one data directory.

    Parameters
    ----------
    data_dir : path
        Data directory; the pace files live in ``<data_dir>/doc``.
    base_url : str, optional
        API endpoint (argument > ``GDELT_DOC_URL`` > GDELT's own).
    interval : float, optional
        Minimum seconds between requests, for all processes sharing ``data_dir``
        (argument > ``TOOLKIT_DOC_INTERVAL`` > 5).
    timeout : float
        Seconds to wait for connect and for each read (default 60).
    retries : int
        Retries after the first attempt on 429, 5xx, timeouts and connection errors.
    backoff : float
        Base of the exponential backoff in seconds: waits are backoff × 2**attempt, capped at
        ``max_backoff`` (defaults 5 and 300).
    max_retry_after : float
        A ``Retry-After`` longer than this (seconds) raises :class:`DocRateLimitError` at once
        instead of blocking the notebook (default 900).
    session : requests.Session, optional
        Reused for every request (connection pooling); one is created when omitted.

    Attributes
    ----------
    requests_made : int
        HTTP requests actually sent (including retries).
    """

    def __init__(self, data_dir, *, base_url: str | None = None, interval: float | None = None,
                 timeout: float = 60.0, retries: int = 5, backoff: float = 5.0,
                 max_backoff: float = 300.0, max_retry_after: float = 900.0,
                 session: requests.Session | None = None) -> None:
        from pathlib import Path

        self.url = doc_url(base_url)
        self.pacer = Pacer(Path(data_dir) / "doc", doc_interval(interval))
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.max_retry_after = float(max_retry_after)
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.session.headers["User-Agent"] = USER_AGENT
        self.requests_made = 0

    @staticmethod
    def _parse(text: str, query: str, url: str) -> dict:
        from gdeltdoc.helpers import load_json

        if not text:
            return {}
        try:
            return load_json(text)  # drops the stray control characters the API emits
        except (ValueError, IndexError) as exc:
            raise DocHTTPError(f"The DOC API returned malformed JSON for {query!r} ({exc})",
                               status=200, url=url, body=text[:500]) from None

    def _wait(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2**attempt)

    def get(self, params: dict[str, Any], *, cached: Callable[[], Any] | None = None,
            save: Callable[[dict, str], None] | None = None) -> tuple[Any, str | None]:
        """GET the API with ``params``; returns (parsed JSON, the URL requested).

        ``cached()`` is called once the pace slot is held, before sending: when it returns
        something other than None, no request is made and ``(that, None)`` is returned (a
        peer process fetched the same window while this one waited). ``save(obj, url)`` is
        called with a successful response while the slot is still held.

        Raises
        ------
        DocQueryError
            The API answered with a text message (query rejected).
        DocHTTPError, DocRateLimitError
            HTTP failure after all retries.
        """
        query = params.get("query", "")
        last: str = ""
        status: int | None = None
        for attempt in range(self.retries + 1):
            url = self.url
            wait: float | None = None
            with self.pacer.slot() as slot:
                if cached is not None:
                    hit = cached()
                    if hit is not None:  # another process fetched it while we waited
                        return hit, None
                self.requests_made += 1
                try:
                    resp = self.session.get(self.url, params=params, timeout=self.timeout)
                    slot.finished()
                except requests.Timeout:
                    last, status = f"timed out after {self.timeout:g} s", None
                except requests.ConnectionError as exc:
                    last, status = f"connection failed: {exc}", None
                else:
                    url, status, body = resp.url, resp.status_code, resp.text
                    if status == 200:
                        stripped = body.strip()
                        if not stripped or stripped[0] in "{[":
                            obj = self._parse(stripped, query, url)
                            if save is not None:
                                save(obj, url)  # inside the slot: waiting peers see it
                            return obj, url
                        msg = _text_message(stripped)
                        if not _RATE_LIMIT_TEXT.search(msg):
                            raise DocQueryError(msg, query=query, url=url)
                        # the rate-limit notice sometimes comes with HTTP 200
                        status, last = 429, f"rate limited: {msg}"
                    elif status == 429:
                        last = f"HTTP 429: {_text_message(body)}"
                        wait = retry_after_seconds(resp.headers.get("Retry-After"))
                    elif status >= 500:
                        last = f"HTTP {status}: {_text_message(body)}"
                    else:
                        raise DocHTTPError(f"The DOC API answered HTTP {status} for "
                                           f"{query!r}: {_text_message(body)}", status=status,
                                           url=url, body=body[:500])
            if attempt == self.retries:
                break
            if status == 429:
                if wait is not None and wait > self.max_retry_after:
                    raise DocRateLimitError(
                        f"The DOC API asks to wait {wait:.0f} s (Retry-After) before the next "
                        f"request, more than max_retry_after={self.max_retry_after:g} s; try "
                        "again later — finished windows are cached", status=429, url=url)
                wait = max(self.pacer.interval, wait if wait is not None else self._wait(attempt))
                log.warning("toolkit: DOC API %s; retrying in %.1f s", last, wait)
                self.pacer.defer(wait)  # every process sharing the data dir waits too
            else:
                wait = self._wait(attempt)
                log.warning("toolkit: DOC API %s; retrying in %.1f s", last, wait)
                time.sleep(wait)
        cls = DocRateLimitError if status == 429 else DocHTTPError
        raise cls(f"The DOC API request for {query!r} failed after {self.retries + 1} "
                  f"attempts; last: {last}", status=status, url=url)
