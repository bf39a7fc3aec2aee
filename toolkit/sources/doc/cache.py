"""On-disk cache of DOC API responses: one JSON file per (query, mode, window).

Layout under the data directory::

    <data_dir>/doc/<mode>/<query key>/<window start>_<window end>.json

``<query key>`` is the registry name (or ``raw``), ``@media`` if restricted, and a hash of the
exact query text and restriction, so editing a registry entry never serves stale answers.
Window bounds are UTC ``YYYYMMDDHHMMSS``. Each file holds::

    {"provenance": {"url", "fetched_at", "toolkit_version", "query", "query_text", "mode",
                    "window_start", "window_end", "request_start", "request_end"},
     "response": <the API's JSON, as parsed>}

A window is **complete** when it was fetched at least :data:`SETTLE` after its end: such
windows are never requested again. Others (the window that includes today) are served until
``ttl`` seconds after ``fetched_at`` and then fetched again. Files are written atomically, so
a killed run leaves only whole files.

Only answers that passed :func:`toolkit.sources.doc.validate_answer` are written. A file that
is damaged, or holds an invalid answer (cached by an older toolkit, or edited), is ignored on
read with a warning naming it, and the next fetch replaces it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from ..._version import __version__
from ...store import write_bytes_atomic

#: How long after a window's end GDELT is assumed to have finished indexing it.
SETTLE = pd.Timedelta(hours=3)
_FMT = "%Y%m%d%H%M%S"


def window_path(data_dir: str | os.PathLike, key: str, mode: str, start: pd.Timestamp,
                end: pd.Timestamp) -> Path:
    """The cache file of one window ([start, end], naive UTC timestamps)."""
    return Path(data_dir) / "doc" / mode / key / f"{start:{_FMT}}_{end:{_FMT}}.json"


def is_complete(provenance: dict) -> bool:
    """True when the window had fully passed (plus :data:`SETTLE`) when it was fetched."""
    fetched = pd.Timestamp(provenance["fetched_at"]).tz_convert("UTC").tz_localize(None)
    return fetched >= pd.Timestamp(provenance["window_end"]) + SETTLE


def inspect(path: Path) -> tuple[dict | None, str | None]:
    """Read the entry at ``path``: ``(entry, None)``, ``(None, None)`` if there is no file, or
    ``(None, reason)`` if the file is damaged (not JSON, or without provenance/response).

    Whether the response is a valid answer is checked by the caller
    (:func:`toolkit.sources.doc.validate_answer`).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"it cannot be read ({exc.strerror or exc})"
    try:
        entry = json.loads(raw)
        prov = entry["provenance"]
        entry["response"]  # noqa: B018  (presence check)
        pd.Timestamp(prov["fetched_at"]).tz_convert("UTC")
        for k in ("window_end", "request_end"):
            pd.Timestamp(prov[k])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return None, f"it is not a DOC cache entry ({type(exc).__name__}: {str(exc)[:120]})"
    return entry, None


def load(path: Path) -> dict | None:
    """The entry stored at ``path`` whatever its age; None if missing or damaged."""
    return inspect(path)[0]


def usable(provenance: dict, *, now: pd.Timestamp, ttl: float) -> bool:
    """True if an entry may be served at ``now`` (naive UTC): complete, or younger than ttl."""
    if is_complete(provenance):
        return True
    fetched = pd.Timestamp(provenance["fetched_at"]).tz_convert("UTC").tz_localize(None)
    return (now - fetched).total_seconds() < ttl


def read(path: Path, *, now: pd.Timestamp, ttl: float) -> dict | None:
    """The cached entry at ``path`` if it may be used at ``now`` (naive UTC), else None.

    Usable means complete (see :func:`is_complete`) or fetched less than ``ttl`` seconds ago.
    Damaged files count as missing (they are overwritten by the next fetch).
    """
    entry = load(path)
    return entry if entry is not None and usable(entry["provenance"], now=now, ttl=ttl) \
        else None


def write(path: Path, response: dict, *, url: str, query: str, query_text: str, mode: str,
          window: tuple[pd.Timestamp, pd.Timestamp],
          request: tuple[pd.Timestamp, pd.Timestamp],
          fetched_at: pd.Timestamp | None = None) -> dict:
    """Store one response with its provenance (atomically); returns the entry.

    ``fetched_at`` is naive UTC (default: now).
    """
    if fetched_at is None:
        fetched_at = pd.Timestamp.now(tz="UTC").tz_localize(None)
    entry = {
        "provenance": {
            "url": url,
            "fetched_at": pd.Timestamp(fetched_at).tz_localize("UTC").isoformat(),
            "toolkit_version": __version__,
            "query": query,
            "query_text": query_text,
            "mode": mode,
            "window_start": f"{window[0]:%Y-%m-%dT%H:%M:%S}",
            "window_end": f"{window[1]:%Y-%m-%dT%H:%M:%S}",
            "request_start": f"{request[0]:%Y-%m-%dT%H:%M:%S}",
            "request_end": f"{request[1]:%Y-%m-%dT%H:%M:%S}",
        },
        "response": response,
    }
    # compact JSON: artlist windows hold 250 records and are written inside the pace slot
    write_bytes_atomic(path, json.dumps(entry, separators=(",", ":")).encode())
    return entry
