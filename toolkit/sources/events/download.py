"""HTTP downloads that never leave a file a later run would trust.

Every request has a timeout. Connection errors, timeouts, truncated bodies, 5xx answers and
size/md5 mismatches are retried with exponential backoff (``backoff`` seconds, doubling, capped
at ``max_backoff``, with ±25 % jitter); HTTP 429 waits for the server's ``Retry-After`` (seconds
or an HTTP date) instead. A 404 is not retried: it is GDELT telling us the file does not exist
(a real gap), reported as :class:`FileMissing`. Bytes go to a temporary file beside the
destination and are renamed into place only after the size, the md5 (when the index gives one)
and, for files without an md5, the zip's own CRC-32 check out.
"""

from __future__ import annotations

import hashlib
import os
import random
import socket
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import requests

from ...errors import ToolkitError
from ...store import atomic_path
from ..http import USER_AGENT, retry_after_seconds

#: Largest inflated zip member accepted (bytes): far above a GDELT 1.0 daily CSV (tens of MB)
#: or a 15-minute 2.0 export (~1 MB).
MAX_MEMBER_BYTES = 512 << 20
#: Largest download accepted when the file list gives no size (GDELT 1.0 daily zips are
#: ~5-20 MB).
MAX_FILE_BYTES = 512 << 20
#: Largest master file list accepted (GDELT 2.0's is a few hundred MB).
MAX_INDEX_BYTES = 4 << 30


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try, and how long and how much to accept.

    Attributes
    ----------
    attempts : int
        Tries per file (the first one included).
    backoff : float
        Seconds to wait after the first failure; doubles after each further failure.
    max_backoff : float
        Ceiling of one backoff wait (seconds).
    timeout : float
        Seconds to wait for the connection and for each read of the body.
    max_retry_after : float
        Longest ``Retry-After`` (seconds) honoured; longer requests fail the file.
    deadline : float or None
        Seconds one attempt at one file may take in all (connect, headers, body). None: the
        larger of ``deadline_floor`` and the expected size over ``min_rate``.
    min_rate : float
        Slowest transfer accepted, bytes per second (for the derived deadline).
    deadline_floor : float
        Shortest derived deadline (seconds).
    max_member_bytes : int
        Largest inflated zip member accepted (bytes).
    max_file_bytes : int
        Largest download accepted when the file list gives no size (bytes).
    max_index_bytes : int
        Largest master file list accepted (bytes).
    """

    attempts: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    timeout: float = 30.0
    max_retry_after: float = 900.0
    deadline: float | None = None
    min_rate: float = 16_384.0
    deadline_floor: float = 60.0
    max_member_bytes: int = MAX_MEMBER_BYTES
    max_file_bytes: int = MAX_FILE_BYTES
    max_index_bytes: int = MAX_INDEX_BYTES

    def wait(self, attempt: int) -> float:
        """Backoff before try ``attempt + 1`` (seconds)."""
        base = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return base * random.uniform(0.75, 1.25)

    def deadline_for(self, nbytes: int | None) -> float:
        """Seconds one attempt at a file of ``nbytes`` (None: unknown) may take.

        Examples
        --------
        >>> RetryPolicy().deadline_for(150_000)
        60.0
        >>> RetryPolicy().deadline_for(16_384 * 600)
        600.0
        >>> RetryPolicy(deadline=5).deadline_for(10**9)
        5.0
        """
        if self.deadline is not None:
            return float(self.deadline)
        return max(self.deadline_floor, (nbytes or 0) / self.min_rate)


class FileMissing(Exception):
    """HTTP 404: the server has no such file (a gap in GDELT's record)."""


class DownloadFailed(ToolkitError):
    """The file could not be fetched and verified within the retry policy."""


class Cancelled(Exception):
    """The run was interrupted (e.g. Ctrl-C / a notebook's stop button)."""


class _Retry(Exception):
    pass


_local = threading.local()


def session() -> requests.Session:
    """A per-thread ``requests.Session`` (Sessions are not safe to share between threads)."""
    s = getattr(_local, "session", None)
    if s is None:
        s = requests.Session()
        s.headers["User-Agent"] = USER_AGENT
        _local.session = s
    return s


def _check_zip(path: Path, max_member: int = MAX_MEMBER_BYTES) -> None:
    """The zip at ``path`` holds one member of at most ``max_member`` bytes, CRC intact."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) != 1:
                raise _Retry(f"the zip holds {len(infos)} members, not one")
            if infos[0].file_size > max_member:
                raise _Retry(f"the zip member inflates to {infos[0].file_size:,} bytes, more "
                             f"than the {max_member:,} allowed")
            bad = zf.testzip()
    except zipfile.BadZipFile as exc:
        raise _Retry(f"not a valid zip ({exc})") from None
    if bad is not None:
        raise _Retry(f"zip member {bad} fails its CRC check")


class _Watch:
    """Cuts off the body reads of downloads whose deadline passed or whose run was stopped.

    A read blocks until the socket has data; a server that trickles a few bytes every
    second never trips the per-read timeout, and a stop flag checked between reads is not
    seen while one blocks. One daemon thread looks at the active downloads every 0.2 s and
    shuts the socket of any that is late or cancelled, which wakes the blocked read at once.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._active: dict[int, list] = {}
        self._thread: threading.Thread | None = None
        self._next = 0

    def add(self, resp, stop: threading.Event, until: float) -> list:
        item = [resp, stop, until, None]  # the last slot: why it was cut off
        with self._lock:
            self._next += 1
            self._active[self._next] = item
            item.append(self._next)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="gdelt-watch",
                                                daemon=True)
                self._thread.start()
        return item

    def remove(self, item: list) -> None:
        with self._lock:
            self._active.pop(item[4], None)

    def _loop(self) -> None:
        while True:
            time.sleep(0.2)
            with self._lock:
                if not self._active:
                    self._thread = None
                    return
                now = time.monotonic()
                for item in self._active.values():
                    resp, stop, until, why, _ = item
                    if why is None and (stop.is_set() or now > until):
                        item[3] = "stopped" if stop.is_set() else "deadline"
                        _abort(resp)


def _abort(resp) -> None:
    """Shut the socket under a streaming ``requests`` response (wakes a blocked read)."""
    raw = getattr(resp, "raw", None)
    conn = getattr(raw, "_connection", None) or getattr(raw, "connection", None)
    sock = getattr(conn, "sock", None)
    if sock is None:
        fp = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


_WATCH = _Watch()


def download(url: str, dest: Path, *, size: int | None = None, md5: str | None = None,
             policy: RetryPolicy = RetryPolicy(), check_zip: bool = False,
             stop: threading.Event | None = None, on_retry=None,
             max_bytes: int | None = None) -> int:
    """Fetch ``url`` to ``dest`` atomically and verify it.

    Parameters
    ----------
    url : str
    dest : Path
        Final path; written only when every check passes.
    size, md5 : optional
        Expected length (bytes) and md5 hex digest, from the index. A body longer than
        ``size`` is cut off as soon as it exceeds it.
    policy : RetryPolicy
        Attempts, backoff, per-read timeout, and the overall deadline of each attempt
        (:meth:`RetryPolicy.deadline_for` of the expected size).
    check_zip : bool
        Also test the zip's CRC-32 (for files the index gives no md5 for).
    stop : threading.Event, optional
        Set by the caller to abandon the download: a blocked read is cut off within ~0.2 s.
    on_retry : callable, optional
        Called as ``on_retry(url, reason, wait_seconds)`` before each wait.
    max_bytes : int, optional
        Largest body accepted when ``size`` is None (default ``policy.max_file_bytes``).

    Returns
    -------
    int
        Bytes downloaded.

    Raises
    ------
    FileMissing
        HTTP 404.
    DownloadFailed
        Another 4xx, or every attempt failed (the message holds the last reason).
    Cancelled
        ``stop`` was set.
    """
    stop = stop or threading.Event()
    limit = size if size is not None else (max_bytes or policy.max_file_bytes)
    last = "no attempt made"
    for attempt in range(1, policy.attempts + 1):
        if stop.is_set():
            raise Cancelled(url)
        wait = None
        t0 = time.monotonic()
        budget = policy.deadline_for(size)
        watch = None
        try:
            tmo = min(policy.timeout, budget)
            with session().get(url, stream=True, timeout=(tmo, tmo)) as r:
                watch = _WATCH.add(r, stop, t0 + budget)
                if r.status_code == 404:
                    raise FileMissing(url)
                if r.status_code == 429:
                    ra = retry_after_seconds(r.headers.get("Retry-After"))
                    if ra is not None and ra > policy.max_retry_after:
                        raise DownloadFailed(f"{url}: HTTP 429 with Retry-After {ra:.0f} s, "
                                             f"more than the {policy.max_retry_after:.0f} s "
                                             "allowed; try again later")
                    wait = ra if ra is not None else policy.wait(attempt)
                    raise _Retry("HTTP 429 Too Many Requests")
                if r.status_code >= 500:
                    raise _Retry(f"HTTP {r.status_code} {r.reason}")
                if r.status_code != 200:
                    raise DownloadFailed(f"{url}: HTTP {r.status_code} {r.reason}: "
                                         f"{r.text[:200].strip()}")
                expected = r.headers.get("Content-Length")
                if expected is not None and expected.isdigit():
                    if int(expected) > limit:
                        raise _Retry(f"the server sends {int(expected):,} bytes, more than "
                                     f"the {limit:,} {'listed' if size else 'allowed'}")
                    if size is None:  # the deadline follows the announced length
                        watch[2] = t0 + policy.deadline_for(int(expected))
                h = hashlib.md5()
                n = 0
                with atomic_path(dest) as tmp:
                    with open(tmp, "wb") as f:
                        for chunk in r.iter_content(1 << 16):
                            if stop.is_set():
                                raise Cancelled(url)
                            n += len(chunk)
                            if n > limit:
                                raise _Retry(f"body longer than the {limit:,} bytes "
                                             f"{'listed' if size else 'allowed'}; cut off")
                            f.write(chunk)
                            h.update(chunk)
                    _check_cut(watch, url, policy, t0)
                    if expected is not None and expected.isdigit() and n != int(expected):
                        raise _Retry(f"truncated body: {n} of {expected} bytes")
                    if size is not None and n != size:
                        raise _Retry(f"size {n} bytes, the index says {size}")
                    if md5 is not None and h.hexdigest() != md5:
                        raise _Retry(f"md5 {h.hexdigest()}, the index says {md5}")
                    if check_zip:
                        _check_zip(tmp, policy.max_member_bytes)
                return n
        except _Retry as exc:
            last = str(exc)
        except requests.RequestException as exc:
            last = describe(exc)
            try:
                _check_cut(watch, url, policy, t0)
            except _Retry as cut:
                last = str(cut)
        finally:
            if watch is not None:
                _WATCH.remove(watch)
        if attempt == policy.attempts:
            break
        wait = policy.wait(attempt) if wait is None else wait
        if on_retry is not None:
            on_retry(url, last, wait)
        if stop.wait(wait):
            raise Cancelled(url)
    raise DownloadFailed(f"{url}: failed after {policy.attempts} attempts; last error: {last}")


def describe(exc: requests.RequestException) -> str:
    """A short reason for a network error (urllib3's messages nest three exceptions deep).

    Examples
    --------
    >>> describe(requests.ConnectionError("... [Errno 111] Connection refused'))"))
    'ConnectionError: connection refused (is the server running? check --base-url)'
    """
    text = str(exc)
    for needle, why in (("Connection refused", "connection refused (is the server running? "
                                                "check --base-url)"),
                        ("Name or service not known", "host name not found (check --base-url "
                                                      "and the network)"),
                        ("Failed to resolve", "host name not found (check --base-url and the "
                                              "network)"),
                        ("Network is unreachable", "network unreachable")):
        if needle in text:
            return f"{type(exc).__name__}: {why}"
    return f"{type(exc).__name__}: {text}"


def get_bounded(url: str, *, policy: RetryPolicy, max_bytes: int, headers=None,
                stop: threading.Event | None = None) -> tuple[requests.Response, bytes]:
    """One GET, its body read in memory under the same limits as :func:`download`.

    The body is cut off past ``max_bytes``, the attempt by the policy's deadline (of the
    announced length), and ``stop`` cancels it. No retry: for requests whose failure the
    caller can afford (the Range request that extends a cached file list).

    Raises
    ------
    DownloadFailed
        Body too long or too slow.
    Cancelled
        ``stop`` was set.
    requests.RequestException
        Network errors.
    """
    stop = stop or threading.Event()
    t0 = time.monotonic()
    budget = policy.deadline_for(None)
    tmo = min(policy.timeout, budget)
    watch = None
    try:
        with session().get(url, headers=headers, stream=True, timeout=(tmo, tmo)) as r:
            watch = _WATCH.add(r, stop, t0 + budget)
            n = r.headers.get("Content-Length")
            if n is not None and n.isdigit():
                if int(n) > max_bytes:
                    raise DownloadFailed(f"{url}: {int(n):,} bytes, more than {max_bytes:,}")
                watch[2] = t0 + policy.deadline_for(int(n))
            parts, got = [], 0
            try:
                for chunk in r.iter_content(1 << 16):
                    got += len(chunk)
                    if got > max_bytes:
                        raise DownloadFailed(f"{url}: body longer than {max_bytes:,} bytes")
                    parts.append(chunk)
            except requests.RequestException:
                _check_cut(watch, url, policy, t0)
                raise
            _check_cut(watch, url, policy, t0)
            return r, b"".join(parts)
    except _Retry as exc:
        raise DownloadFailed(f"{url}: {exc}") from None
    finally:
        if watch is not None:
            _WATCH.remove(watch)


def _check_cut(watch, url: str, policy: RetryPolicy, t0: float) -> None:
    """Raise what the watchdog's cut-off of this attempt means, if it cut it off."""
    if watch is None or watch[3] is None:
        return
    if watch[3] == "stopped":
        raise Cancelled(url)
    raise _Retry(f"overall deadline of {watch[2] - t0:.0f} s exceeded (the server sends "
                 "too slowly; --deadline changes the limit)")


def file_md5(path: Path) -> str:
    """md5 hex digest of a file."""
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify(path: Path, *, size: int | None, md5: str | None) -> bool:
    """True when ``path`` exists with the expected size and md5 (those given)."""
    try:
        if size is not None and os.path.getsize(path) != size:
            return False
    except OSError:
        return False
    if md5 is not None:
        return file_md5(path) == md5
    if size is None:  # nothing from the index: fall back on the zip's CRC
        try:
            _check_zip(path)
        except _Retry:
            return False
    return True
