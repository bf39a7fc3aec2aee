"""HTTP for the DOC 2.0 API: session, timeout, pacing, retries and the API's error bodies.

gdeltdoc builds the query (:class:`gdeltdoc.Filters`) but sends requests with no timeout,
retry, pacing or size limit, and its JSON repair (:func:`gdeltdoc.helpers.load_json`) copies
the whole body once per repaired character, recursively (5.4 GB for a truncated 50 MB body),
so the toolkit sends requests and reads answers itself through :class:`DocClient`:

* a body is read in chunks and cut off past :func:`max_body_bytes` (16 MiB by default,
  ``TOOLKIT_DOC_MAX_BODY_MB``; a real quarter of ``timelinesourcecountry`` is under 1 MB);
* JSON is parsed with :func:`loads`: raw control characters are accepted, at most
  :data:`MAX_REPAIRS` stray backslashes are blanked, nesting too deep is refused;
* the caller's ``validate`` checks the parsed answer BEFORE ``save`` caches it.

What the API does and what the client makes of it:

=======================================  ===================================================
API behaviour                            client
=======================================  ===================================================
HTTP 429                                 wait ``Retry-After`` (seconds or HTTP date) or an
                                         exponential backoff, shared with other processes
                                         through the pacer; retry
HTTP 200 "Please limit requests to ..."  same as 429
HTTP 5xx, timeout, connection error      exponential backoff; retry
HTTP 200 with an error page of a proxy    same as 5xx (e.g. nginx's "502 Bad Gateway" page
(502 Bad Gateway, 503 Service ...)       sent with status 200)
HTTP 200 with a plain-text/HTML message  :class:`DocQueryError` (the API's message + query)
HTTP 200 with ``{}``                     an empty result (the API's "no matches")
HTTP 200 with an empty body, malformed   retried like 5xx; then :class:`DocBadAnswer`
JSON, a body over the size cap, or JSON  naming the query and window. Never cached.
that ``validate`` rejects
other HTTP 4xx                           :class:`DocHTTPError`, no retry
=======================================  ===================================================
"""

from __future__ import annotations

import html
import json
import logging
import math
import os
import re
import time
from collections.abc import Callable
from typing import Any

import requests

from ..._version import __version__
from ...config import doc_url
from ...errors import ToolkitError
from ..http import retry_after_seconds
from .pacing import Pacer

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


#: Default cap on one answer's size; far above any real answer (a quarter of
#: ``timelinesourcecountry``, the largest timeline, is under 1 MB; 250 articles ~150 kB).
DEFAULT_MAX_BODY_MB = 16 * 2**20 / 10**6
#: Stray characters blanked at most per answer before it counts as malformed.
MAX_REPAIRS = 20


def max_body_bytes(value: float | None = None) -> int:
    """The answer size cap in bytes: argument (MB) > ``TOOLKIT_DOC_MAX_BODY_MB`` > 16 MiB.

    Examples
    --------
    >>> max_body_bytes(2)
    2000000
    """
    raw = value if value is not None else os.environ.get("TOOLKIT_DOC_MAX_BODY_MB", "").strip()
    if raw in ("", None):
        return 16 * 2**20
    try:
        mb = float(raw)
    except (TypeError, ValueError):
        mb = math.nan
    if not (math.isfinite(mb) and mb > 0):
        raise ValueError(f"TOOLKIT_DOC_MAX_BODY_MB={raw!r} must be a size in MB > 0 "
                         f"(default {DEFAULT_MAX_BODY_MB:.3f}, i.e. 16 MiB)")
    return max(1, int(mb * 10**6))


def _check_number(name: str, value, what: str, *, minimum: float,
                  strict: bool = False) -> float:
    """``value`` as a finite float >= minimum (> minimum if strict), else ValueError."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if isinstance(value, bool) or not math.isfinite(v) or v < minimum or (strict and
                                                                          v == minimum):
        bound = ">" if strict else ">="
        raise ValueError(f"{name}={value!r} must be a finite number of {what} {bound} "
                         f"{minimum:g}")
    return v


class DocError(ToolkitError):
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


class DocBadAnswer(DocHTTPError):
    """The API kept answering HTTP 200 with something that is not a valid answer.

    Empty, malformed, too large, too deeply nested, or JSON that is not a timeline (article
    list); nothing of it was cached. The message names the query and the window.
    """


class InvalidAnswer(ValueError):
    """Raised by a ``validate`` callable (or :func:`loads`): why an answer is not valid."""


def loads(text: str) -> object:
    """Parse an answer's JSON with bounded work and memory.

    Raw control characters inside strings are accepted (the API emits them); a stray
    backslash ("Invalid \\escape") is blanked, at most :data:`MAX_REPAIRS` times, in a loop
    (gdeltdoc's recursive repair keeps every intermediate copy alive). Anything else that is
    not JSON, and nesting deeper than Python's recursion limit, raise :class:`InvalidAnswer`.

    Examples
    --------
    >>> loads('{"value": 0.5}')
    {'value': 0.5}
    >>> loads("[" * 100_000)
    Traceback (most recent call last):
    ...
    toolkit.sources.doc.client.InvalidAnswer: JSON nested too deeply
    """
    for _ in range(MAX_REPAIRS + 1):
        try:
            return json.loads(text, strict=False)
        except RecursionError:
            raise InvalidAnswer("JSON nested too deeply") from None
        except json.JSONDecodeError as exc:
            if not exc.msg.startswith("Invalid \\escape"):
                raise InvalidAnswer(f"malformed JSON ({exc})") from None
            text = text[:exc.pos] + " " + text[exc.pos + 1:]
    raise InvalidAnswer(f"malformed JSON (more than {MAX_REPAIRS} stray backslashes)")


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
# a server's or proxy's error page: the API's own messages are about the query
_SERVER_ERROR_TEXT = re.compile(
    r"bad gateway|service (?:temporarily )?unavailable|gateway time-?out|internal server error"
    r"|\bserver error\b|origin (?:is )?unreachable|web server is (?:down|returning)"
    r"|\b5\d\d (?:error|bad|service|gateway|internal|origin)", re.I)


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
    max_body_mb : float, optional
        Answers larger than this (MB, 10**6 bytes, after decompression) are cut off and count
        as invalid (argument > ``TOOLKIT_DOC_MAX_BODY_MB`` > 16 MiB).

    Attributes
    ----------
    requests_made : int
        HTTP requests actually sent (including retries).
    """

    def __init__(self, data_dir, *, base_url: str | None = None, interval: float | None = None,
                 timeout: float = 60.0, retries: int = 5, backoff: float = 5.0,
                 max_backoff: float = 300.0, max_retry_after: float = 900.0,
                 session: requests.Session | None = None,
                 max_body_mb: float | None = None) -> None:
        from pathlib import Path

        self.url = doc_url(base_url)
        self.timeout = _check_number("timeout", timeout, "seconds per request", minimum=0.0,
                                     strict=True)
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ValueError(f"retries={retries!r} must be a whole number >= 0 (retries after "
                             "the first attempt; default 5)")
        self.retries = retries
        self.backoff = _check_number("backoff", backoff, "seconds before the first retry",
                                     minimum=0.0)
        self.pacer = Pacer(Path(data_dir) / "doc", doc_interval(interval))
        self.max_backoff = float(max_backoff)
        self.max_retry_after = float(max_retry_after)
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.session.headers["User-Agent"] = USER_AGENT
        self.requests_made = 0
        self.max_body_bytes = max_body_bytes(max_body_mb)

    def _read(self, resp: requests.Response) -> bytes | None:
        """The body, read in chunks; None once it grows past the cap (connection closed)."""
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            resp.close()
            return None
        buf = bytearray()
        for chunk in resp.iter_content(chunk_size=256 * 1024):
            buf += chunk
            if len(buf) > self.max_body_bytes:
                resp.close()
                return None
        return bytes(buf)

    def _wait(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2**attempt)

    def get(self, params: dict[str, Any], *, cached: Callable[[], Any] | None = None,
            save: Callable[[Any, str], None] | None = None,
            validate: Callable[[Any], Any] | None = None,
            what: str | None = None) -> tuple[Any, str | None]:
        """GET the API with ``params``; returns (the validated answer, the URL requested).

        ``cached()`` is called once the pace slot is held, before sending: when it returns
        something other than None, no request is made and ``(that, None)`` is returned (a
        peer process fetched the same window while this one waited). ``validate(obj)``
        returns the answer to keep or raises :class:`InvalidAnswer`; an invalid answer is
        retried like an HTTP 5xx and never saved. ``save(obj, url)`` is called with a valid
        answer while the slot is still held. ``what`` names the request in messages
        (default: the query).

        Raises
        ------
        DocQueryError
            The API answered with a text message (query rejected).
        DocBadAnswer
            Every attempt gave HTTP 200 with an invalid answer (empty, malformed, too large,
            or rejected by ``validate``).
        DocHTTPError, DocRateLimitError
            HTTP failure after all retries.
        """
        query = params.get("query", "")
        what = what or repr(query)
        last: str = ""
        status: int | None = None
        bad_answer = False
        for attempt in range(self.retries + 1):
            url = self.url
            wait: float | None = None
            bad_answer = False
            with self.pacer.slot() as slot:
                if cached is not None:
                    hit = cached()
                    if hit is not None:  # another process fetched it while we waited
                        return hit, None
                self.requests_made += 1
                try:
                    resp = self.session.get(self.url, params=params, timeout=self.timeout,
                                            stream=True)
                    try:
                        data = self._read(resp)
                    finally:
                        resp.close()
                    slot.finished()
                except requests.Timeout:
                    last, status = f"timed out after {self.timeout:g} s", None
                except requests.RequestException as exc:  # refused, reset, cut short
                    last, status = f"connection failed: {exc}", None
                else:
                    url, status = resp.url, resp.status_code
                    too_large = (f"an answer larger than {self.max_body_bytes:,} bytes (cut "
                                 "off there; raise TOOLKIT_DOC_MAX_BODY_MB if a real answer is "
                                 "that large)")
                    body = "" if data is None else data.decode("utf-8", errors="replace")
                    if data is None and status == 200:
                        bad_answer, last = True, f"HTTP 200 with {too_large}"
                    elif data is None and status != 429 and status < 500:
                        raise DocHTTPError(f"The DOC API answered HTTP {status} for {what} "
                                           f"with {too_large}", status=status, url=url)
                    elif status == 200:
                        stripped = body.strip()
                        del data
                        if not stripped:
                            bad_answer, last = True, "HTTP 200 with an empty body"
                        elif stripped[0] in "{[":
                            try:
                                obj = loads(stripped)
                                del body, stripped
                                if validate is not None:
                                    obj = validate(obj)
                            except InvalidAnswer as exc:
                                bad_answer, last = True, f"HTTP 200 with an invalid answer: {exc}"
                            else:
                                if save is not None:
                                    save(obj, url)  # inside the slot: waiting peers see it
                                return obj, url
                        else:
                            msg = _text_message(stripped)
                            if _RATE_LIMIT_TEXT.search(msg):
                                # the rate-limit notice sometimes comes with HTTP 200
                                status, last = 429, f"rate limited: {msg}"
                            elif _SERVER_ERROR_TEXT.search(msg):
                                status = 502
                                last = f"HTTP 200 with a server error page: {msg[:200]!r}"
                            else:
                                raise DocQueryError(msg, query=query, url=url)
                    elif status == 429:
                        last = f"HTTP 429: {_text_message(body)}"
                        wait = retry_after_seconds(resp.headers.get("Retry-After"))
                    elif status >= 500:
                        last = f"HTTP {status}: {_text_message(body)}"
                    else:
                        raise DocHTTPError(f"The DOC API answered HTTP {status} for "
                                           f"{what}: {_text_message(body)}", status=status,
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
                log.warning("toolkit: DOC API %s for %s; retrying in %.1f s", last, what, wait)
                time.sleep(wait)
        n = self.retries + 1
        if bad_answer:
            raise DocBadAnswer(
                f"The DOC API gave no valid answer for {what} after {n} attempts; last: {last}"
                "; nothing was cached for this window", status=status, url=url)
        cls = DocRateLimitError if status == 429 else DocHTTPError
        raise cls(f"The DOC API request for {what} failed after {n} attempts; last: {last}",
                  status=status, url=url)
