"""Split a GDELT events file into lines and find the few fields the parser needs, in one pass.

A 15-minute export is ~1 MB of tab-separated text with 61 fields per line; the parser needs
the field count of every line and the offsets of five fields (:mod:`.events_parse`). Doing
that with numpy takes a dozen passes and calls per file (find every separator, then gather),
each of which takes and drops the GIL. :func:`tokenize` is one compiled loop over the bytes
(numba, ``nogil``), so worker threads tokenize files truly in parallel.

Compiled on first use (about a second) and cached on disk next to this module when the
folder is writable, so later sessions start at once.
"""

from __future__ import annotations

import threading

import numpy as np
from numba import njit


@njit(nogil=True, cache=True)
def _tokenize(buf, slot_of, nslots, lines, bounds):  # pragma: no cover - compiled
    n = buf.shape[0]
    nfields_max = slot_of.shape[0]
    line = 0
    pos = 0
    while pos < n:
        if line == lines.shape[0]:
            return -1  # more lines than room: the caller counts them and retries
        start = pos
        field = 0
        fstart = pos
        for k in range(2 * nslots):
            bounds[line, k] = -1
        while pos < n:
            c = buf[pos]
            if c < 11 and c > 8:  # tab or newline; one compare on the common path
                if field < nfields_max:
                    s = slot_of[field]
                    if s >= 0:
                        bounds[line, 2 * s] = fstart
                        bounds[line, 2 * s + 1] = pos
                if c == 10:
                    break
                field += 1
                fstart = pos + 1
            pos += 1
        end = pos
        # a last line without a newline: its last field ends at the end of the data
        if pos == n and field < nfields_max:
            s = slot_of[field]
            if s >= 0:
                bounds[line, 2 * s] = fstart
                bounds[line, 2 * s + 1] = pos
        if end > start and buf[end - 1] == 13:  # CRLF: the CR is not part of the line
            end -= 1
        lines[line, 0] = start
        lines[line, 1] = end
        lines[line, 2] = field + 1 if end > start else 0  # 0: a blank line
        line += 1
        pos += 1  # past the newline
    return line


@njit(nogil=True, cache=True)
def _count_newlines(buf):  # pragma: no cover - compiled
    k = 0
    for i in range(buf.shape[0]):
        k += buf[i] == 10
    return k


def tokenize(data, ncols: int, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lines and wanted-field offsets of a tab-separated file.

    Parameters
    ----------
    data : bytes-like
        The file's contents.
    ncols : int
        The number of fields a good line has.
    wanted : ndarray of int
        Indices of the fields to locate.

    Returns
    -------
    lines : ndarray, shape (n, 3)
        Per physical line: start offset, end offset (a trailing CR excluded), number of
        fields (0 for a blank line).
    bounds : ndarray, shape (n, 2 * len(wanted))
        Start and end offset of each wanted field in each line (-1 where the line is too
        short to have it).

    Examples
    --------
    >>> lines, bounds = tokenize(b"a\\tbb\\tc\\n\\nd\\r\\n", 3, np.array([1]))
    >>> lines.tolist(), bounds.tolist()
    ([[0, 6, 3], [7, 7, 0], [8, 9, 1]], [[2, 4], [-1, -1], [-1, -1]])
    """
    buf = np.frombuffer(data, np.uint8)
    slot_of = np.full(ncols, -1, np.int64)
    slot_of[wanted] = np.arange(len(wanted))
    room = len(buf) // 256 + 16  # GDELT lines are ~400 bytes long; more lines: recount
    while True:
        lines, bounds = _scratch(room, 2 * len(wanted))
        used = _tokenize(buf, slot_of, len(wanted), lines, bounds)
        if used >= 0:
            return lines[:used].copy(), bounds[:used].copy()
        room = int(_count_newlines(buf)) + 1


_local = threading.local()
_KEEP = 1 << 16  # lines of work space kept per thread (~7 MB): a 15-minute file needs ~3,000


def _scratch(rows: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Work arrays for :func:`_tokenize`, reused per thread up to :data:`_KEEP` lines.

    Fresh megabyte arrays per file cost hundreds of page faults each, which threads pay one
    at a time (the kernel serialises them per process).
    """
    if rows > _KEEP:
        return np.empty((rows, 3), np.int64), np.empty((rows, width), np.int64)
    kept = getattr(_local, "arrays", None)
    if kept is None or kept[1].shape[1] != width:
        kept = _local.arrays = (np.empty((_KEEP, 3), np.int64), np.empty((_KEEP, width),
                                                                          np.int64))
    return kept[0][:rows], kept[1][:rows]
