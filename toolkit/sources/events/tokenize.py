"""Split a GDELT events file into lines and find the few fields the parser needs.

A 15-minute export is ~1 MB of tab-separated text with 61 fields per line; the parser needs
the field count of every line and the offsets of five fields (:mod:`.parse`). Doing
that with numpy takes a dozen passes and calls per file (find every separator, then gather),
each of which takes and drops the GIL. :func:`tokenize` is two compiled loops (numba,
``nogil``), so worker threads tokenize files truly in parallel:

1. write the offset of every tab and newline, without a branch per byte (a separator is one
   byte in seven: branching on it would mispredict at every one);
2. walk the separators: line ends, field counts, the wanted fields' bounds.

Large files (GDELT 1.0 daily files) are counted first, to size the arrays exactly.

Compiled on first use (about a second) and cached on disk next to this module when the
folder is writable, so later sessions only load it.
"""

from __future__ import annotations

import threading

import numpy as np
from numba import njit


@njit(nogil=True, cache=True)
def _count(buf):  # pragma: no cover - compiled
    seps = 0
    newlines = 0
    for i in range(buf.shape[0]):
        c = buf[i]
        newlines += c == 10
        seps += (c == 9) | (c == 10)
    return seps, newlines


@njit(nogil=True, cache=True)
def _separators(buf, out):  # pragma: no cover - compiled
    k = 0
    for i in range(buf.shape[0]):
        c = buf[i]
        out[k] = i
        k += (c == 9) | (c == 10)
    return k


@njit(nogil=True, cache=True)
def _lines(buf, seps, nsep, slot_of, nslots, lines, bounds):  # pragma: no cover - compiled
    n = buf.shape[0]
    nfields_max = slot_of.shape[0]
    if n == 0:
        return 0
    line = 0
    start = 0
    field = 0
    fstart = 0
    for k in range(2 * nslots):
        bounds[0, k] = -1
    for j in range(nsep):
        pos = seps[j]
        if field < nfields_max:
            s = slot_of[field]
            if s >= 0:
                bounds[line, 2 * s] = fstart
                bounds[line, 2 * s + 1] = pos
        if buf[pos] == 10:
            end = pos
            if end > start and buf[end - 1] == 13:  # CRLF: the CR is not part of the line
                end -= 1
            lines[line, 0] = start
            lines[line, 1] = end
            lines[line, 2] = field + 1 if end > start else 0  # 0: a blank line
            line += 1
            start = pos + 1
            field = 0
            fstart = start
            if start < n:
                if line == lines.shape[0]:
                    return -1  # more lines than room: the caller counts them and retries
                for k in range(2 * nslots):
                    bounds[line, k] = -1
        else:
            field += 1
            fstart = pos + 1
    if start < n:  # a last line without a newline
        if field < nfields_max:
            s = slot_of[field]
            if s >= 0:
                bounds[line, 2 * s] = fstart
                bounds[line, 2 * s + 1] = n
        end = n
        if buf[end - 1] == 13:
            end -= 1
        lines[line, 0] = start
        lines[line, 1] = end
        lines[line, 2] = field + 1 if end > start else 0
        line += 1
    return line


_MONTH_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


@njit(nogil=True, cache=True)
def _digits(buf, s, length):  # pragma: no cover - compiled
    """The unsigned decimal number in buf[s:s + length], or -1 if any byte is not a digit."""
    v = 0
    for k in range(length):
        c = np.int64(buf[s + k]) - 48
        if c < 0 or c > 9:
            return -1
        v = v * 10 + c
    return v


@njit(nogil=True, cache=True)
def _day(buf, s, month_days):  # pragma: no cover - compiled
    """YYYYMMDD at buf[s:s + 8] if it is a real calendar day (1900-2199), else -1."""
    v = _digits(buf, s, 8)
    if v < 0:
        return -1
    y, m, d = v // 10_000, (v // 100) % 100, v % 100
    if y < 1900 or y >= 2200 or m < 1 or m > 12 or d < 1:
        return -1
    dim = month_days[m]
    if m == 2 and not ((y % 4 == 0 and y % 100 != 0) or y % 400 == 0):
        dim = 28
    return v if d <= dim else -1


@njit(nogil=True, cache=True)
def _decode(buf, fs, fl, codes, month_days, vals, status, inset):  # pragma: no cover
    for i in range(fs.shape[0]):
        st = 0
        sd = _day(buf, fs[i, 0], month_days) if fl[i, 0] == 8 else -1
        if sd < 0:
            st = 1
        n = fl[i, 1]
        da = -1
        if n == 8 or n == 14:
            da = _day(buf, fs[i, 1], month_days)
            if da >= 0 and n == 14 and _digits(buf, fs[i, 1] + 8, 6) < 0:
                da = -1
        if st == 0 and da < 0:
            st = 2
        n = fl[i, 2]
        na = _digits(buf, fs[i, 2], n) if 1 <= n <= 9 else -1
        if st == 0 and na < 0:
            st = 3
        vals[i, 0] = sd
        vals[i, 1] = da
        vals[i, 2] = na
        status[i] = st
        for a in range(2):
            inset[i, a] = False
            if fl[i, 3 + a] == 3:
                p = fs[i, 3 + a]
                code = np.int64(buf[p]) | (np.int64(buf[p + 1]) << 8) \
                    | (np.int64(buf[p + 2]) << 16)
                for c in codes:
                    if code == c:
                        inset[i, a] = True


def decode_fields(data, starts: np.ndarray, lengths: np.ndarray, actors) -> tuple:
    """Check and decode SQLDATE, DATEADDED, NumArticles and the two actor country codes.

    Parameters
    ----------
    data : bytes-like
        The file's contents.
    starts, lengths : ndarray, shape (n, 5)
        Offsets and lengths of the five fields in each line, in the order SQLDATE,
        DATEADDED, NumArticles, Actor1CountryCode, Actor2CountryCode.
    actors : iterable of str
        3-letter codes of the actor set.

    Returns
    -------
    vals : ndarray, shape (n, 3)
        SQLDATE and the DATEADDED day as YYYYMMDD, and NumArticles.
    status : ndarray of int8
        0 for a good line, else the first field that fails: 1 SQLDATE (not 8 digits forming
        a real day), 2 DATEADDED (not 8 or 14 digits, or not a real day), 3 NumArticles (not
        1-9 digits).
    inset : ndarray of bool, shape (n, 2)
        Whether each actor country code is in the actor set.

    Examples
    --------
    >>> data = b"20240229\\t20240230120000\\t7\\tRUS\\tUS"
    >>> vals, status, inset = decode_fields(data, np.array([[0, 9, 24, 26, 30]]),
    ...                                     np.array([[8, 14, 1, 3, 2]]), ["RUS", "USA"])
    >>> vals.tolist(), status.tolist(), inset.tolist()
    ([[20240229, -1, 7]], [2], [[True, False]])
    """
    buf = np.frombuffer(data, np.uint8)
    n = len(starts)
    codes = np.array([int.from_bytes(a.encode("ascii"), "little") for a in actors], np.int64)
    vals = np.empty((n, 3), np.int64)
    status = np.empty(n, np.int8)
    inset = np.empty((n, 2), np.bool_)
    _decode(buf, np.ascontiguousarray(starts, np.int64), np.ascontiguousarray(lengths, np.int64),
            codes, _MONTH_DAYS, vals, status, inset)
    return vals, status, inset


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
    width = 2 * len(wanted)
    if len(buf) < _KEEP_SEPS:  # fits this thread's work space (a file has < 1 separator/byte)
        seps, lines, bounds = _scratch(width)
        nsep = _separators(buf, seps)
        used = _lines(buf, seps, nsep, slot_of, len(wanted), lines, bounds)
        if used >= 0:
            return lines[:used].copy(), bounds[:used].copy()
    nsep, nl = _count(buf)  # a large file, or very short lines: exact sizes
    seps = np.empty(nsep + 1, np.int32)
    lines, bounds = np.empty((nl + 1, 3), np.int64), np.empty((nl + 1, width), np.int64)
    _separators(buf, seps)
    used = _lines(buf, seps, nsep, slot_of, len(wanted), lines, bounds)
    return lines[:used], bounds[:used]


_local = threading.local()
#: Work space kept per thread (~11 MB): files up to 2 MB (a 15-minute export is ~1 MB) and
#: 32,768 lines (~3,000 in one).
_KEEP_SEPS, _KEEP_LINES = 1 << 21, 1 << 15


def _scratch(width: int):
    """Work arrays for the compiled loops, kept per thread and reused from file to file.

    Fresh megabyte arrays per file cost hundreds of page faults each, which threads pay one
    at a time (the kernel serialises them per process).
    """
    kept = getattr(_local, "arrays", None)
    if kept is None or kept[2].shape[1] != width:
        kept = _local.arrays = (np.empty(_KEEP_SEPS + 1, np.int32),
                                np.empty((_KEEP_LINES, 3), np.int64),
                                np.empty((_KEEP_LINES, width), np.int64))
    return kept
