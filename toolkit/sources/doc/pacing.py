"""Request pacing for the DOC API, shared by every thread and process using one data dir.

GDELT asks for at most one DOC request every 5 seconds. Two notebooks fetching at once must
not double that rate, so the pace is kept in the data directory, not in memory:

* ``<data_dir>/doc/pace.lock`` — a file lock (``filelock``) held while a request is in flight;
* ``<data_dir>/doc/pace.json`` — ``{"sent": t0, "done": t, "not_before": t2}``: when the last
  request was sent and finished (Unix seconds) and the earliest time the next may start (set
  by ``Retry-After``). A ``sent`` later than ``done`` means its process was killed mid-request;
  the next one then waits two intervals from that send.

A caller takes the lock and reads the state; if the next allowed start
``max(done + interval, not_before)`` is still ahead it releases the lock, sleeps until then
and competes again (so no process can hog the slots); otherwise it sends its request, records
the time the request *finished* and releases the lock. Measuring from the finish (not
the send) means the server sees consecutive requests at least ``interval`` apart whatever the
network latency; the cost is that each request's own latency adds to the wall time.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock

from ...errors import CacheCorrupt
from ...store import parse_json, write_json_atomic

_THREAD_LOCKS: dict[str, threading.Lock] = {}
#: A pace time further ahead than this (s) is damage, not a Retry-After (those are <= 15 min).
_MAX_AHEAD = 86400.0
_THREAD_LOCKS_GUARD = threading.Lock()


def _thread_lock(key: str) -> threading.Lock:
    with _THREAD_LOCKS_GUARD:
        return _THREAD_LOCKS.setdefault(key, threading.Lock())


class _Slot:
    """The right to send one request; ``waited`` is the seconds spent waiting for it."""

    def __init__(self, waited: float) -> None:
        self.waited = waited
        self.done: float | None = None

    def finished(self) -> None:
        """Mark the request finished now (the next request may start ``interval`` later)."""
        self.done = time.time()


class Pacer:
    """At most one request per ``interval`` seconds across threads and processes.

    Parameters
    ----------
    directory : path
        Where ``pace.lock`` and ``pace.json`` live (``<data_dir>/doc``).
    interval : float
        Minimum seconds between the end of one request and the start of the next (>= 0).

    Examples
    --------
    >>> pacer = Pacer("/tmp/cache/doc", interval=5.0)  # doctest: +SKIP
    >>> with pacer.slot():  # doctest: +SKIP
    ...     response = session.get(url)
    """

    def __init__(self, directory: str | os.PathLike, interval: float = 5.0) -> None:
        if isinstance(interval, bool) or not isinstance(interval, int | float) \
                or not interval >= 0 or interval == float("inf"):
            raise ValueError(f"interval must be a finite number of seconds >= 0, got "
                             f"{interval!r}")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.interval = float(interval)
        self.state_path = self.directory / "pace.json"
        lock_path = str(self.directory / "pace.lock")
        self._file_lock = FileLock(lock_path)
        self._thread_lock = _thread_lock(os.path.realpath(lock_path))

    def _state(self) -> dict:
        """The pace state; {} if there is none yet.

        Raises
        ------
        toolkit.errors.CacheCorrupt
            The file is not a JSON object of Unix times (it is only ever written whole, so
            something else damaged it); the message names it and says to delete it.
        """
        try:
            raw = self.state_path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            st = parse_json(raw)
            if not isinstance(st, dict):
                raise ValueError(f"a JSON {type(st).__name__}, not an object")
            for k in ("sent", "done", "not_before"):
                v = st.get(k, 0.0)
                if isinstance(v, bool) or not isinstance(v, int | float) \
                        or not math.isfinite(v):
                    raise ValueError(f"{k!r} is {v!r}, not a Unix time")
                if v > time.time() + _MAX_AHEAD:  # would block every request for that long
                    raise ValueError(f"{k!r} is {v!r}, more than a day ahead")
        except ValueError as exc:
            raise CacheCorrupt(
                f"The DOC pacing state {self.state_path} is damaged ({exc}); delete it and "
                "rerun (it only records when the last DOC request was sent; cached answers "
                "are not affected)") from None
        return st

    @contextlib.contextmanager
    def slot(self) -> Iterator[_Slot]:
        """Hold the pace: wait for the next allowed start, then yield a :class:`_Slot`.

        The request made inside the ``with`` block is the only one in flight for this data
        directory. Its finish time is what :meth:`_Slot.finished` marked (call it as soon as
        the response is in), else the time the block exits, even when it raised.
        """
        waited = 0.0
        while True:
            self._thread_lock.acquire()
            self._file_lock.acquire(poll_interval=0.005)
            try:
                st = self._state()
            except BaseException:
                self._file_lock.release()
                self._thread_lock.release()
                raise
            # "sent" without a later "done": the holder died with its request in flight
            # (a killed kernel); its finish is unknown, so keep two intervals from its send
            dead = st.get("sent", 0.0) + 2 * self.interval \
                if st.get("sent", 0.0) > st.get("done", 0.0) else 0.0
            wait = max(st.get("done", 0.0) + self.interval, st.get("not_before", 0.0), dead) \
                - time.time()
            if wait <= 0:
                st["sent"] = time.time()
                write_json_atomic(self.state_path, st)
                break
            # Sleep WITHOUT the locks, then compete again: holding them while sleeping would
            # let one process (or thread) win the next slot over and over.
            self._file_lock.release()
            self._thread_lock.release()
            time.sleep(wait)
            waited += wait
        slot = _Slot(waited)
        try:
            yield slot
        finally:
            try:
                st = self._state()
                st["done"] = slot.done if slot.done is not None else time.time()
                write_json_atomic(self.state_path, st)
            finally:
                self._file_lock.release()
                self._thread_lock.release()

    def defer(self, seconds: float) -> None:
        """Forbid any request from this data dir for ``seconds`` (e.g. a 429's Retry-After)."""
        with self._thread_lock, self._file_lock:
            st = self._state()
            st["not_before"] = max(st.get("not_before", 0.0), time.time() + seconds)
            write_json_atomic(self.state_path, st)
