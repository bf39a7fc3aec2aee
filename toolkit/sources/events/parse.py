"""Parse GDELT events exports: daily totals over every row, the actor-filtered rows in full.

The fast path, and why
----------------------
A 15-minute GDELT 2.0 export holds ~2,000–3,000 rows (~1 MB unzipped) of which typically well
under 1 % are events between the actors of interest; a multi-year fetch reads hundreds of
thousands of such files. Parsing every row into 61 typed columns (what ``pandas.read_csv``
does) costs many times the decompression. Instead:

1. per file, one compiled pass over the bytes (:func:`.tokenize.tokenize`, numba,
   without the GIL) finds every line, its field count and the offsets of the five fields
   below;
2. the five fields every row needs — ``SQLDATE``, ``DATEADDED`` and ``NumArticles`` (daily
   totals over ALL rows) and the two ``Actor*CountryCode`` (the filter) — are read as 8-byte
   words and decoded for all rows of several files at once (:func:`parse_exports`), with a
   few SWAR integer operations instead of per-byte work;
3. only the lines whose two actor country codes are both in the actor set are then split and
   typed in full with the official column names and types (codes as strings, so "010" keeps
   its leading zero).

Filtering uses the CAMEO **actor** fields only (``Actor1CountryCode``/``Actor2CountryCode``,
e.g. RUS); the FIPS geo fields (``ActionGeo_CountryCode`` "RS") are never looked at.

Malformed lines
---------------
A line is malformed when it has the wrong number of fields, when a field every row needs
(``SQLDATE`` as a valid YYYYMMDD day, ``DATEADDED`` as 8 or 14 digits, ``NumArticles`` as an
integer) does not parse, or — for a kept line — when any typed column does not parse: an
integer that is not plain ASCII digits or is 2**53 or more in magnitude (``NumMentions``
99999999999999999999999), a float that is not finite (``nan``, ``inf``, ``1e999`` in
``GoldsteinScale`` or ``AvgTone``).
Malformed lines are excluded from both the totals and the kept rows, counted per reason, and
the first few line numbers are kept for the report; they never stop the run.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .index import MENTIONS_COLUMNS, V2_COLUMNS, Stream
from .tokenize import decode_fields, tokenize

_ARROW = {"I": pa.int64(), "F": pa.float64(), "S": pa.string()}
#: Arrow schema of the kept raw rows: the 61 GDELT 2.0 columns (1.0 rows have null ADM2 codes)
#: plus ``source_file``, the export file the row came from.
KEPT_SCHEMA = pa.schema([pa.field(n, _ARROW[t]) for n, t in V2_COLUMNS]
                        + [pa.field("source_file", pa.string())])
#: Arrow schema of the kept mentions: the 16 GDELT 2.0 Mentions columns plus ``source_file``,
#: the mentions file the row came from.
MENTIONS_SCHEMA = pa.schema([pa.field(n, _ARROW[t]) for n, t in MENTIONS_COLUMNS]
                            + [pa.field("source_file", pa.string())])
#: Per-file daily totals as stored: one row per (basis, date).
TOTALS_SCHEMA = pa.schema([("source_file", pa.string()), ("basis", pa.string()),
                           ("date", pa.date32()), ("total_events", pa.int64()),
                           ("total_articles", pa.int64())])
MAX_EXAMPLES = 5
#: The fields every row needs: the two days and NumArticles (totals), the actor countries.
_FAST_FIELDS = ("SQLDATE", "DATEADDED", "NumArticles", "Actor1CountryCode",
                "Actor2CountryCode")


@dataclass
class ParsedFile:
    """What one export file contributes.

    Attributes
    ----------
    rows : int
        Non-blank lines read.
    malformed : int
        Lines excluded as malformed (see module docstring); ``reasons`` counts them by reason
        and ``examples`` holds up to five ``(line number, reason)``.
    kept : list of tuple
        Lines whose Actor1CountryCode and Actor2CountryCode are both in the actor set, typed,
        in :data:`KEPT_SCHEMA` order (:func:`rows_to_table` makes an Arrow table of them).
    day_totals : dict
        Date basis -> (YYYYMMDD ints, events, summed NumArticles) per day over all well-formed
        lines; :attr:`totals` is the same as an Arrow table (schema :data:`TOTALS_SCHEMA`).
    """

    rows: int
    malformed: int
    kept: list[tuple]
    day_totals: dict
    name: str = ""
    reasons: dict[str, int] = field(default_factory=dict)
    examples: list[tuple[int, str]] = field(default_factory=list)

    @property
    def totals(self) -> pa.Table:
        return totals_table([self])


def totals_table(parsed: list[ParsedFile]) -> pa.Table:
    """Per-file daily totals of many parsed files as one table of :data:`TOTALS_SCHEMA`."""
    names, bases, days, ev, art = [], [], [], [], []
    for p in parsed:
        for basis, (d, e, a) in p.day_totals.items():
            names += [p.name] * len(d)
            bases += [basis] * len(d)
            days.append(d)
            ev.append(e)
            art.append(a)
    if not names:
        return TOTALS_SCHEMA.empty_table()
    d = np.concatenate(days)  # YYYYMMDD, all valid days
    months = ((d // 10_000 - 1970) * 12 + (d // 100) % 100 - 1).astype("datetime64[M]")
    dates = months.astype("datetime64[D]") + (d % 100 - 1)
    return pa.Table.from_arrays(
        [pa.array(names, pa.string()), pa.array(bases, pa.string()),
         pa.array(dates, pa.date32()), pa.array(np.concatenate(ev)),
         pa.array(np.concatenate(art))], schema=TOTALS_SCHEMA)


def _int64(v: str) -> int:
    """An integer field: ASCII digits with an optional sign, below 2**53 in magnitude (else
    ValueError; ``int()`` alone would take "1_000", other scripts' digits and numbers of any
    size). The bound keeps the cube's int64 sums of counts far from overflowing; GDELT's
    largest integers (14-digit DATEADDED) are well inside it."""
    if not _INT.fullmatch(v):
        raise ValueError(f"not an integer: {v[:30]!r}")
    x = int(v)
    if not -(1 << 53) < x < (1 << 53):
        raise _OutOfRange(f"integer out of range: {v[:30]!r}")
    return x


def _finite(v: str) -> float:
    """A float field that is a finite number (nan, inf, 1e999 and "1_0" raise ValueError)."""
    if "_" in v:
        raise ValueError(f"not a number: {v[:30]!r}")
    x = float(v)
    if not math.isfinite(x):
        raise _OutOfRange(f"not a finite number: {v[:30]!r}")
    return x


class _OutOfRange(ValueError):
    """A number that parses but is out of range (:func:`_int64`) or not finite (:func:`_finite`)."""


_INT = re.compile(r"[+-]?[0-9]+")
_CONVERT = {"I": _int64, "F": _finite, "S": None}


def _typed_values(line: bytes, convs: list) -> list:
    """The tab-separated fields of ``line`` through their converters (None: kept as text);
    an empty field is None. ValueError when a value won't parse (:func:`_kept_reason`)."""
    return [(c(v) if c else v) if v else None
            for c, v in zip(convs, line.decode("utf-8", "replace").split("\t"), strict=True)]


def _kept_reason(exc: ValueError) -> str:
    """The malformed-line reason of a kept line whose value would not parse."""
    return ("number out of range or not finite in a kept row" if isinstance(exc, _OutOfRange)
            else "unparsable value in a kept row")


def _typed_row(line: bytes, stream: Stream, name: str) -> tuple:
    """One line as a tuple in :data:`KEPT_SCHEMA` order; ValueError when a value won't parse.

    Kept lines are few (well under 1 % of a file), so plain Python beats setting up a CSV
    reader per file. A CR before the line's newline is dropped (CRLF files).
    """
    if line[-1:] == b"\r":
        line = line[:-1]
    convs, where = _layout(stream)
    vals = _typed_values(line, convs)
    if where is None:
        return (*vals, name)
    return (*[vals[i] if i >= 0 else None for i in where], name)


_LAYOUTS: dict[str, tuple] = {}


def _layout(stream: Stream) -> tuple:
    """The converter of each of the stream's columns, and where each :data:`KEPT_SCHEMA`
    column is among them (-1: not in this stream; None: the same order)."""
    if stream.name not in _LAYOUTS:
        names = [n for n, _ in stream.columns]
        where = [names.index(n) if n in names else -1 for n in KEPT_SCHEMA.names[:-1]]
        _LAYOUTS[stream.name] = ([_CONVERT[t] for _, t in stream.columns],
                                 None if where == list(range(len(names))) else where)
    return _LAYOUTS[stream.name]


def rows_to_table(rows: list[tuple], schema: pa.Schema = KEPT_SCHEMA) -> pa.Table:
    """Kept rows (tuples from :func:`parse_export`, or :func:`parse_mentions` with
    ``schema=MENTIONS_SCHEMA``) as an Arrow table of ``schema``."""
    if not rows:
        return schema.empty_table()
    cols = list(zip(*rows, strict=True))
    return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(cols, schema,
                                                                       strict=True)],
                                schema=schema)


def parse_export(data: bytes, stream: Stream, actors: tuple[str, ...], *,
                 name: str = "") -> ParsedFile:
    """Parse an unzipped GDELT events export (tab-separated, no header).

    Parameters
    ----------
    data : bytes
        The file's contents.
    stream : Stream
        Its layout (61 columns for GDELT 2.0, 58 for 1.0 daily files).
    actors : tuple of str
        CAMEO actor country codes (3 letters); a row is kept when both Actor1CountryCode and
        Actor2CountryCode are in the set.
    name : str
        File name, stored in ``source_file``.

    Returns
    -------
    ParsedFile

    Examples
    --------
    >>> from toolkit.sources.events.index import STREAMS
    >>> row = ["1", "20191024"] + [""] * 59
    >>> row[7], row[17], row[33], row[59] = "RUS", "KOR", "3", "20191024143000"
    >>> p = parse_export(("\\t".join(row) + "\\n").encode(), STREAMS["v2"], ("RUS", "KOR"))
    >>> p.rows, p.malformed, len(p.kept)
    (1, 0, 1)
    """
    return parse_exports([data], stream, actors, names=[name])[0]


@dataclass
class _Scan:
    """One file after :func:`_scan`: its well-formed lines and their decoded fields."""

    name: str
    data: bytes
    rows: int
    line_no: np.ndarray  # 1-based line number of each well-formed line
    s0: np.ndarray  # start and end offsets of each well-formed line
    e0: np.ndarray
    vals: np.ndarray  # (n, 3) SQLDATE, DATEADDED day, NumArticles (see decode_fields)
    status: np.ndarray  # (n,) 0 good, else the first field that fails
    inset: np.ndarray  # (n, 2) actor country codes in the actor set
    reasons: dict[str, int]
    examples: list[tuple[int, str]]


def _flag(sc: _Scan, local: np.ndarray, reason: str) -> None:
    """Count the well-formed lines ``local`` (indices) of ``sc`` as malformed for ``reason``."""
    if len(local):
        sc.reasons[reason] = sc.reasons.get(reason, 0) + len(local)
        room = MAX_EXAMPLES - len(sc.examples)
        sc.examples += [(int(ln), reason) for ln in sc.line_no[local][:max(room, 0)]]


def _scan(data: bytes, stream: Stream, actors) -> _Scan:
    """Lines, field counts and the five needed fields of one file, checked and decoded."""
    ncols = stream.ncols
    lines, bounds = tokenize(data, ncols, _wanted(stream))
    nf = lines[:, 2]
    rows = int(np.count_nonzero(nf))  # blank lines (0 fields) are not rows
    good = nf == ncols
    reasons: dict[str, int] = {}
    examples: list[tuple[int, str]] = []
    if rows == len(nf) and good.all():
        line_no = np.arange(1, rows + 1)
    else:
        bad = np.flatnonzero((nf > 0) & ~good)
        for n_fields in np.unique(nf[bad]):
            reason = f"{int(n_fields)} fields instead of {ncols}"
            at = bad[nf[bad] == n_fields] + 1
            reasons[reason] = len(at)
            examples += [(int(ln), reason) for ln in at[:MAX_EXAMPLES]]
        examples = sorted(examples)[:MAX_EXAMPLES]
        g = np.flatnonzero(good)
        lines, bounds, line_no = lines[g], bounds[g], g + 1
    starts = bounds[:, 0::2]
    vals, status, inset = decode_fields(data, starts, bounds[:, 1::2] - starts, actors)
    return _Scan(name="", data=data, rows=rows, line_no=line_no, s0=lines[:, 0],
                 e0=lines[:, 1], vals=vals, status=status, inset=inset, reasons=reasons,
                 examples=examples)


@functools.lru_cache(maxsize=8)
def _wanted(stream: Stream) -> np.ndarray:
    """Indices of :data:`_FAST_FIELDS` among the stream's columns."""
    col = {n: i for i, (n, _) in enumerate(stream.columns)}
    return np.array([col[c] for c in _FAST_FIELDS])


def _totals(fid: np.ndarray, days: np.ndarray, arts: np.ndarray, nfiles: int) -> list:
    """Per file: (YYYYMMDD, events, summed NumArticles) by day, over the rows given."""
    out = []
    if len(days) == 0:
        empty = np.zeros(0, np.int64)
        return [(empty, empty, empty)] * nfiles
    lo = int(days.min())
    span = int(days.max()) - lo + 1
    if nfiles * span <= 1 << 22:  # YYYYMMDD within a few years: count by offset, no sort
        key = fid * span + (days - lo)
        ev = np.bincount(key, minlength=nfiles * span).reshape(nfiles, span)
        art = np.bincount(key, weights=arts, minlength=nfiles * span).reshape(nfiles, span)
        for f in range(nfiles):
            m = np.flatnonzero(ev[f])
            out.append((m + lo, ev[f, m].astype(np.int64), np.rint(art[f, m]).astype(np.int64)))
        return out
    for f in range(nfiles):
        d, a = days[fid == f], arts[fid == f]
        u, inv = np.unique(d, return_inverse=True)
        out.append((u, np.bincount(inv, minlength=len(u)).astype(np.int64),
                    np.rint(np.bincount(inv, weights=a, minlength=len(u))).astype(np.int64)))
    return out


def parse_exports(datas: list[bytes], stream: Stream, actors: tuple[str, ...], *,
                  names: list[str]) -> list[ParsedFile]:
    """:func:`parse_export` for several files at once (same result, file by file).

    The per-file work is the tokenizer's pass over the bytes (no GIL); the decoding,
    checks, filter and totals then run once over the rows of all the files. Fewer, larger
    numpy calls mean less time holding the GIL per file, which is what lets worker threads
    parse in parallel.

    Examples
    --------
    >>> from toolkit.sources.events.index import STREAMS
    >>> row = ["1", "20191024"] + [""] * 59
    >>> row[7], row[17], row[33], row[59] = "RUS", "KOR", "3", "20191024143000"
    >>> good = ("\\t".join(row) + "\\n").encode()
    >>> [(p.rows, p.malformed) for p in parse_exports([good, b"x\\n" + good], STREAMS["v2"],
    ...                                                ("RUS",), names=["a", "b"])]
    [(1, 0), (2, 1)]
    """
    scans = []
    for data, name in zip(datas, names, strict=True):
        sc = _scan(data, stream, actors)
        sc.name = name
        scans.append(sc)
    sizes = [len(sc.s0) for sc in scans]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    fid = np.repeat(np.arange(len(scans)), sizes)
    vals = np.concatenate([sc.vals for sc in scans]) if scans else np.zeros((0, 3), np.int64)
    status = np.concatenate([sc.status for sc in scans]) if scans else np.zeros(0, np.int8)
    inset = np.concatenate([sc.inset for sc in scans]) if scans else np.zeros((0, 2), bool)
    # each bad line is counted once, under the first field that fails
    for code, what in ((1, "SQLDATE"), (2, "DATEADDED"), (3, "NumArticles")):
        bad = status == code
        for i in np.flatnonzero(np.bincount(fid[bad], minlength=len(scans))):
            _flag(scans[i], np.flatnonzero(bad[offsets[i]:offsets[i + 1]]),
                  f"unparsable {what}")
    valid = status == 0
    narts = vals[:, 2]
    keep = valid & inset[:, 0] & inset[:, 1]

    kept: list[list[tuple]] = [[] for _ in scans]
    for i in np.flatnonzero(keep).tolist():
        f = int(fid[i])
        sc, j = scans[f], i - int(offsets[f])
        try:
            kept[f].append(_typed_row(sc.data[int(sc.s0[j]):int(sc.e0[j])], stream, sc.name))
        except ValueError as exc:
            valid[i] = False
            _flag(sc, np.array([j]), _kept_reason(exc))

    fv, nv = fid[valid], narts[valid]
    per_basis = {"sqldate": _totals(fv, vals[valid, 0], nv, len(scans)),
                 "dateadded": _totals(fv, vals[valid, 1], nv, len(scans))}
    good = np.bincount(fv, minlength=len(scans))
    return [ParsedFile(rows=sc.rows, malformed=sc.rows - int(good[f]), kept=kept[f],
                       day_totals={b: t[f] for b, t in per_basis.items()}, name=sc.name,
                       reasons=sc.reasons, examples=sorted(sc.examples)[:MAX_EXAMPLES])
            for f, sc in enumerate(scans)]


def parse_mentions(datas: list[bytes], stream: Stream, event_ids, *,
                   names: list[str]) -> list[ParsedFile]:
    """Parse unzipped GDELT 2.0 Mentions files: keep the mentions of ``event_ids``.

    Parameters
    ----------
    datas : list of bytes
        The files' contents (16 tab-separated columns, no header).
    stream : Stream
        A Mentions stream (:data:`~toolkit.sources.events.index.MENTIONS_COLUMNS`).
    event_ids : set of int
        GLOBALEVENTIDs whose mentions are kept (the stored kept events).
    names : list of str
        File names, stored in ``source_file``.

    Returns
    -------
    list of ParsedFile
        Per file: lines read, malformed lines (wrong field count, or a ``GLOBALEVENTID`` or
        ``MentionTimeDate`` that is not an integer / a valid 14-digit time, or, for a kept
        line, any typed column that does not parse: the rules of the exports), the kept
        lines in :data:`MENTIONS_SCHEMA` order, and ``day_totals`` under the basis
        ``"mentiontime"``: well-formed mentions per UTC day of MentionTimeDate (kept or not;
        ``total_articles`` 0).

    Mentions files are ~3,000-6,000 short lines; only the event id of every line is looked
    at before the (rare) kept lines are typed, so plain Python is fast enough here.

    Examples
    --------
    >>> from toolkit.sources.events.index import STREAMS
    >>> line = "\\t".join(["7", "20191024143000", "20191024150000", "1", "x.com",
    ...                   "https://x.com/a", "1", "-1", "10", "20", "1", "50", "900",
    ...                   "-2.5", "", ""]) + "\\n"
    >>> [(p.rows, p.malformed, len(p.kept)) for p in parse_mentions(
    ...     [line.encode() * 2 + b"bad\\n"], STREAMS["v2-mentions"], {7}, names=["m"])]
    [(3, 1, 2)]
    """
    convs = [_CONVERT[t] for _, t in stream.columns]
    ids = {int(x) for x in event_ids}
    return [_parse_mentions_file(data, name, stream.ncols, convs, ids)
            for data, name in zip(datas, names, strict=True)]


def _parse_mentions_file(data: bytes, name: str, ncols: int, convs: list, ids: set[int]
                         ) -> ParsedFile:
    """One Mentions file (:func:`parse_mentions`)."""
    rows = 0
    reasons: dict[str, int] = {}
    examples: list[tuple[int, str]] = []
    kept: list[tuple] = []
    per_day: dict[int, int] = {}
    for ln, line in enumerate(data.split(b"\n"), 1):
        if line[-1:] == b"\r":
            line = line[:-1]
        if not line:
            continue
        rows += 1
        nf = line.count(b"\t") + 1
        why = None
        if nf != ncols:
            why = f"{nf} fields instead of {ncols}"
        else:
            gid, _, rest = line.partition(b"\t")
            mtime = rest.split(b"\t", 2)[1]
            if not (gid.isdigit() and len(gid) < 16):
                why = "unparsable GLOBALEVENTID"
            elif not (len(mtime) == 14 and mtime.isdigit() and _valid_day(int(mtime[:8]))):
                why = "unparsable MentionTimeDate"
            elif int(gid) in ids:
                try:
                    kept.append((*_typed_values(line, convs), name))
                except ValueError as exc:
                    why = _kept_reason(exc)
        if why is not None:
            reasons[why] = reasons.get(why, 0) + 1
            if len(examples) < MAX_EXAMPLES:
                examples.append((ln, why))
            continue
        day = int(mtime[:8])
        per_day[day] = per_day.get(day, 0) + 1
    days = np.array(sorted(per_day), np.int64)
    totals = (days, np.array([per_day[d] for d in days.tolist()], np.int64),
              np.zeros(len(days), np.int64))
    return ParsedFile(rows=rows, malformed=sum(reasons.values()), kept=kept,
                      day_totals={"mentiontime": totals}, name=name, reasons=reasons,
                      examples=examples)


def _valid_day(d: int) -> bool:
    """YYYYMMDD is a calendar day (1900..2199)."""
    import datetime

    try:
        datetime.date(d // 10_000, d // 100 % 100, d % 100)
    except ValueError:
        return False
    return 1900 <= d // 10_000 < 2200
