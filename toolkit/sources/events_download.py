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
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import requests

from ..httputil import USER_AGENT, retry_after_seconds
from ..store import atomic_path


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try.

    Attributes
    ----------
    attempts : int
        Tries per file (the first one included).
    backoff : float
        Seconds to wait after the first failure; doubles after each further failure.
    max_backoff : float
        Ceiling of one backoff wait (seconds).
    timeout : float
        Seconds to wait for the connection and for each chunk of the body.
    max_retry_after : float
        Longest ``Retry-After`` (seconds) honoured; longer requests fail the file.
    """

    attempts: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    timeout: float = 30.0
    max_retry_after: float = 900.0

    def wait(self, attempt: int) -> float:
        """Backoff before try ``attempt + 1`` (seconds)."""
        base = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return base * random.uniform(0.75, 1.25)


class FileMissing(Exception):
    """HTTP 404: the server has no such file (a gap in GDELT's record)."""


class DownloadFailed(Exception):
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


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
    except zipfile.BadZipFile as exc:
        raise _Retry(f"not a valid zip ({exc})") from None
    if bad is not None:
        raise _Retry(f"zip member {bad} fails its CRC check")


def download(url: str, dest: Path, *, size: int | None = None, md5: str | None = None,
             policy: RetryPolicy = RetryPolicy(), check_zip: bool = False,
             stop: threading.Event | None = None, on_retry=None) -> int:
    """Fetch ``url`` to ``dest`` atomically and verify it.

    Parameters
    ----------
    url : str
    dest : Path
        Final path; written only when every check passes.
    size, md5 : optional
        Expected length (bytes) and md5 hex digest, from the index.
    policy : RetryPolicy
    check_zip : bool
        Also test the zip's CRC-32 (for files the index gives no md5 for).
    stop : threading.Event, optional
        Set by the caller to abandon the download between chunks and during waits.
    on_retry : callable, optional
        Called as ``on_retry(url, reason, wait_seconds)`` before each wait.

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
    last = "no attempt made"
    for attempt in range(1, policy.attempts + 1):
        if stop.is_set():
            raise Cancelled(url)
        wait = None
        try:
            with session().get(url, stream=True, timeout=policy.timeout) as r:
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
                h = hashlib.md5()
                n = 0
                with atomic_path(dest) as tmp:
                    with open(tmp, "wb") as f:
                        for chunk in r.iter_content(1 << 16):
                            if stop.is_set():
                                raise Cancelled(url)
                            f.write(chunk)
                            h.update(chunk)
                            n += len(chunk)
                    if expected is not None and expected.isdigit() and n != int(expected):
                        raise _Retry(f"truncated body: {n} of {expected} bytes")
                    if size is not None and n != size:
                        raise _Retry(f"size {n} bytes, the index says {size}")
                    if md5 is not None and h.hexdigest() != md5:
                        raise _Retry(f"md5 {h.hexdigest()}, the index says {md5}")
                    if check_zip:
                        _check_zip(tmp)
                return n
        except _Retry as exc:
            last = str(exc)
        except requests.RequestException as exc:
            last = f"{type(exc).__name__}: {exc}"
        if attempt == policy.attempts:
            break
        wait = policy.wait(attempt) if wait is None else wait
        if on_retry is not None:
            on_retry(url, last, wait)
        if stop.wait(wait):
            raise Cancelled(url)
    raise DownloadFailed(f"{url}: failed after {policy.attempts} attempts; last error: {last}")


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
