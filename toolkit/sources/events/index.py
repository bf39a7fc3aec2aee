"""GDELT Events products, their columns, and which files a date range needs.

Three products, built from three *streams* (one stream = one kind of file on GDELT's server):

==================  =====================================  ============================
product             stream(s)                              first file
==================  =====================================  ============================
``"v2"``            GDELT 2.0 English 15-minute exports    2015-02-18 22:45 UTC
``"v2-all"``        ``v2`` + the translingual exports      2015-02-18 (English)
``"v1"``            GDELT 1.0 daily exports                2013-04-01
==================  =====================================  ============================

With ``mentions=True`` a GDELT 2.0 product also reads the Mentions stream beside each export
stream (:data:`MENTIONS_OF`: ``v2-mentions``, ``v2-translation-mentions``), listed in the same
master file list; their rows never enter the cube.

GDELT 2.0 files are listed in ``gdeltv2/masterfilelist.txt`` (and
``masterfilelist-translation.txt``); each line is ``<bytes> <md5> <url>``. Lines are parsed
by token pattern (a run of digits, 32 hex digits, a URL), never by position, because one
third-party description gets the order wrong. Only the file *name* of the URL is used: the
file is fetched from the configured base URL, so a mirror (or the tests' local server) never
sends traffic to data.gdeltproject.org.

GDELT 1.0 daily files are found by URL construction, ``events/YYYYMMDD.export.CSV.zip``, one
per day (the ``events/index.html`` page is not needed: every day from 2013-04-01 has a file
except GDELT's real gaps, which answer 404 and are recorded as gaps). There is no md5 for
them, so they are verified by the zip's own CRC-32 and the HTTP Content-Length.

References
----------
GDELT 2.0 Event codebook: http://data.gdeltproject.org/documentation/GDELT-Event_Codebook-V2.0.pdf
GDELT 1.0 codebook V1.03 (58-column daily files from 2013-04-01).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pandas as pd

#: GDELT 2.0 export columns in file order, with BigQuery types (I integer, F float, S string).
V2_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (name, typ) for name, typ in (
        ("GLOBALEVENTID", "I"), ("SQLDATE", "I"), ("MonthYear", "I"), ("Year", "I"),
        ("FractionDate", "F"),
        ("Actor1Code", "S"), ("Actor1Name", "S"), ("Actor1CountryCode", "S"),
        ("Actor1KnownGroupCode", "S"), ("Actor1EthnicCode", "S"), ("Actor1Religion1Code", "S"),
        ("Actor1Religion2Code", "S"), ("Actor1Type1Code", "S"), ("Actor1Type2Code", "S"),
        ("Actor1Type3Code", "S"),
        ("Actor2Code", "S"), ("Actor2Name", "S"), ("Actor2CountryCode", "S"),
        ("Actor2KnownGroupCode", "S"), ("Actor2EthnicCode", "S"), ("Actor2Religion1Code", "S"),
        ("Actor2Religion2Code", "S"), ("Actor2Type1Code", "S"), ("Actor2Type2Code", "S"),
        ("Actor2Type3Code", "S"),
        ("IsRootEvent", "I"), ("EventCode", "S"), ("EventBaseCode", "S"), ("EventRootCode", "S"),
        ("QuadClass", "I"), ("GoldsteinScale", "F"), ("NumMentions", "I"), ("NumSources", "I"),
        ("NumArticles", "I"), ("AvgTone", "F"),
        ("Actor1Geo_Type", "I"), ("Actor1Geo_FullName", "S"), ("Actor1Geo_CountryCode", "S"),
        ("Actor1Geo_ADM1Code", "S"), ("Actor1Geo_ADM2Code", "S"), ("Actor1Geo_Lat", "F"),
        ("Actor1Geo_Long", "F"), ("Actor1Geo_FeatureID", "S"),
        ("Actor2Geo_Type", "I"), ("Actor2Geo_FullName", "S"), ("Actor2Geo_CountryCode", "S"),
        ("Actor2Geo_ADM1Code", "S"), ("Actor2Geo_ADM2Code", "S"), ("Actor2Geo_Lat", "F"),
        ("Actor2Geo_Long", "F"), ("Actor2Geo_FeatureID", "S"),
        ("ActionGeo_Type", "I"), ("ActionGeo_FullName", "S"), ("ActionGeo_CountryCode", "S"),
        ("ActionGeo_ADM1Code", "S"), ("ActionGeo_ADM2Code", "S"), ("ActionGeo_Lat", "F"),
        ("ActionGeo_Long", "F"), ("ActionGeo_FeatureID", "S"),
        ("DATEADDED", "I"), ("SOURCEURL", "S"),
    )
)
#: GDELT 1.0 daily files (58 columns): the 2.0 list without the three ``*Geo_ADM2Code``.
V1_COLUMNS: tuple[tuple[str, str], ...] = tuple(c for c in V2_COLUMNS if "ADM2" not in c[0])
assert len(V2_COLUMNS) == 61 and len(V1_COLUMNS) == 58
#: GDELT 2.0 Mentions columns in file order (16, tab-separated, no header): one row per
#: mention of an event in an article, published in 15-minute ``.mentions.CSV.zip`` files.
MENTIONS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("GLOBALEVENTID", "I"), ("EventTimeDate", "I"), ("MentionTimeDate", "I"),
    ("MentionType", "I"), ("MentionSourceName", "S"), ("MentionIdentifier", "S"),
    ("SentenceID", "I"), ("Actor1CharOffset", "I"), ("Actor2CharOffset", "I"),
    ("ActionCharOffset", "I"), ("InRawText", "I"), ("Confidence", "I"),
    ("MentionDocLen", "I"), ("MentionDocTone", "F"), ("MentionDocTranslationInfo", "S"),
    ("Extras", "S"),
)
assert len(MENTIONS_COLUMNS) == 16


@dataclass(frozen=True)
class Stream:
    """One kind of GDELT events file: where its index and files live, and its layout."""

    name: str
    columns: tuple[tuple[str, str], ...]
    first: pd.Timestamp  # first file's time (UTC)
    index: str | None  # path of the master file list under the base URL (None: by date)
    folder: str  # folder of the data files under the base URL
    suffix: str  # file name suffix after the time stamp

    @property
    def ncols(self) -> int:
        return len(self.columns)


STREAMS: dict[str, Stream] = {
    "v2": Stream("v2", V2_COLUMNS, pd.Timestamp("2015-02-18 22:45"),
                 "gdeltv2/masterfilelist.txt", "gdeltv2", ".export.CSV.zip"),
    "v2-translation": Stream("v2-translation", V2_COLUMNS, pd.Timestamp("2015-02-18 22:45"),
                             "gdeltv2/masterfilelist-translation.txt", "gdeltv2",
                             ".translation.export.CSV.zip"),
    "v1": Stream("v1", V1_COLUMNS, pd.Timestamp("2013-04-01"), None, "events",
                 ".export.CSV.zip"),
    # GDELT 2.0 Mentions (opt-in): listed in the same master file lists as the exports
    "v2-mentions": Stream("v2-mentions", MENTIONS_COLUMNS, pd.Timestamp("2015-02-18 22:45"),
                          "gdeltv2/masterfilelist.txt", "gdeltv2", ".mentions.CSV.zip"),
    "v2-translation-mentions": Stream(
        "v2-translation-mentions", MENTIONS_COLUMNS, pd.Timestamp("2015-02-18 22:45"),
        "gdeltv2/masterfilelist-translation.txt", "gdeltv2", ".translation.mentions.CSV.zip"),
}

#: Export stream -> the Mentions stream published beside it (GDELT 1.0 has none).
MENTIONS_OF: dict[str, str] = {"v2": "v2-mentions", "v2-translation": "v2-translation-mentions"}


def is_mentions(stream: str) -> bool:
    """True for a Mentions stream (its files hold mentions, not events)."""
    return stream.endswith("-mentions")


def index_owner(stream: Stream) -> str:
    """The stream under whose folder ``stream``'s master file list is cached: the first
    stream with the same list (the export stream for a Mentions stream), so the list is
    downloaded once for both."""
    return next(s.name for s in STREAMS.values() if s.index == stream.index)

#: Product name -> the streams it reads (their rows are merged into one cube).
PRODUCTS: dict[str, tuple[str, ...]] = {
    "v2": ("v2",),
    "v2-all": ("v2", "v2-translation"),
    "v1": ("v1",),
}
PRODUCT_HELP = {
    "v2": "GDELT 2.0 English 15-minute exports (from 2015-02-18)",
    "v2-all": "GDELT 2.0 English + translingual 15-minute exports (from 2015-02-18)",
    "v1": "GDELT 1.0 daily exports, one file per day (from 2013-04-01)",
}


def check_product(product: str) -> tuple[Stream, ...]:
    """The streams of ``product``; ValueError listing the valid products otherwise."""
    if product not in PRODUCTS:
        choices = "; ".join(f"{k} ({v})" for k, v in PRODUCT_HELP.items())
        raise ValueError(f"Unknown product {product!r}; choose one of: {choices}")
    return tuple(STREAMS[s] for s in PRODUCTS[product])


def first_day(product: str) -> pd.Timestamp:
    """First day for which ``product`` has files."""
    return max(s.first.normalize() for s in check_product(product))


@dataclass(frozen=True)
class FileEntry:
    """One data file to fetch: its name, when it was published, and what the index says."""

    stream: str
    name: str  # e.g. 20191024143000.export.CSV.zip
    stamp: pd.Timestamp  # publication time (UTC); the day for 1.0 daily files
    size: int | None = None  # bytes, from the index
    md5: str | None = None  # hex digest, from the index

    @functools.cached_property
    def month(self) -> str:
        """Publication month, ``YYYY-MM``: the partition the file's rows are stored in."""
        return f"{self.stamp.year:04d}-{self.stamp.month:02d}"

    @functools.cached_property
    def day(self) -> pd.Timestamp:
        return self.stamp.normalize()

    def url(self, base_url: str) -> str:
        return f"{base_url}/{STREAMS[self.stream].folder}/{self.name}"


_MD5 = re.compile(r"^[0-9a-fA-F]{32}$")
_SIZE = re.compile(r"^\d+$")


@dataclass(frozen=True)
class IndexSpan:
    """First and last time stamp (``YYYYMMDDHHMMSS``) a file list names for one stream, over
    the whole list (not only the range asked for); both None when it names none."""

    first: str | None
    last: str | None

    def covers(self, day: pd.Timestamp) -> bool:
        """True when the list speaks for all of ``day``: it starts on or before the day and
        reaches the day's last 15-minute slot (23:45) or beyond. GDELT stamps a file with its
        publication time; files missing inside such a day are GDELT's own gaps, while a day
        the list has not reached yet (or a list that stops mid-day) is not complete.

        Examples
        --------
        >>> span = IndexSpan("20191024000000", "20191025000000")
        >>> span.covers(pd.Timestamp("2019-10-24")), span.covers(pd.Timestamp("2019-10-25"))
        (True, False)
        """
        if self.first is None or self.last is None:
            return False
        return self.first < f"{day + pd.Timedelta(days=1):%Y%m%d}000000" \
            and self.last >= f"{day:%Y%m%d}234500"


def parse_index(text: str, stream: Stream, start: pd.Timestamp | None = None,
                end: pd.Timestamp | None = None, *, span: list | None = None
                ) -> tuple[list[FileEntry], int]:
    """Parse a GDELT 2.0 master file list into the entries of ``stream``.

    Parameters
    ----------
    text : str
        Contents of ``masterfilelist.txt`` (lines ``<bytes> <md5> <url>``, any order of tokens).
    stream : Stream
    start, end : Timestamp, optional
        Keep only files published on the days [start, end] (much faster on GDELT's full list,
        ~1 million lines).

    Returns
    -------
    entries : list of FileEntry
        Files of this stream (``.export.CSV.zip``, ``.translation.export.CSV.zip``, or the
        ``.mentions.CSV.zip`` of a Mentions stream), sorted by
        time stamp, de-duplicated on name (the last line wins).
    unparsable : int
        Lines that name no URL or no 14-digit time stamp (GDELT's list has a few).

    If ``span`` is a list, an :class:`IndexSpan` of the stream's files over the whole list
    is appended to it (what the list covers, for files inside and outside the range).

    Examples
    --------
    >>> line = ("150383 297a16b493de7cf6ca809a7cc31d0b93 "
    ...         "http://data.gdeltproject.org/gdeltv2/20150218230000.export.CSV.zip")
    >>> parse_index(line, STREAMS["v2"])[0][0].stamp
    Timestamp('2015-02-18 23:00:00')
    """
    suffix = stream.suffix
    lo = f"{start:%Y%m%d}000000" if start is not None else ""
    hi = f"{end:%Y%m%d}235959" if end is not None else "99999999999999"
    found: dict[str, tuple[str, int | None, str | None]] = {}
    bad = 0
    first = last = None
    for line in text.splitlines():
        if suffix not in line and "/" in line:
            continue  # mentions, gkg: skip before tokenising
        toks = line.split()
        if not toks:
            continue
        url = next((t for t in toks if "/" in t), None)
        if url is None:
            bad += 1
            continue
        name = url.rsplit("/", 1)[-1]
        if not name.endswith(suffix):
            continue  # mentions, gkg, or the other export stream
        stamp = name[: -len(suffix)]
        if "translation" not in stream.name and stamp.endswith(".translation"):
            continue
        if len(stamp) != 14 or not stamp.isdigit():
            bad += 1
            continue
        if first is None or stamp < first:
            first = stamp
        if last is None or stamp > last:
            last = stamp
        if not lo <= stamp <= hi:
            continue
        size = next((int(t) for t in toks if _SIZE.match(t)), None)
        md5 = next((t.lower() for t in toks if _MD5.match(t)), None)
        found[name] = (stamp, size, md5)
    # one vectorised conversion: GDELT's list has ~100,000 export lines per year
    stamps = pd.to_datetime(pd.Series([v[0] for v in found.values()], dtype=object),
                            format="%Y%m%d%H%M%S", errors="coerce")
    entries = []
    for (name, (_, size, md5)), ts in zip(found.items(), stamps, strict=True):
        if pd.isna(ts):
            bad += 1
            continue
        entries.append(FileEntry(stream.name, name, ts, size, md5))
    if span is not None:
        span.append(IndexSpan(first, last))
    return sorted(entries, key=lambda e: e.stamp), bad


def select(entries: Iterable[FileEntry], start: pd.Timestamp, end: pd.Timestamp
           ) -> list[FileEntry]:
    """Entries published on the days [start, end] (UTC, inclusive)."""
    hi = end + pd.Timedelta(days=1)
    return [e for e in entries if start <= e.stamp < hi]


def v1_entries(start: pd.Timestamp, end: pd.Timestamp) -> list[FileEntry]:
    """GDELT 1.0 daily files for [start, end], by URL construction (no size or md5 known).

    Examples
    --------
    >>> [e.name for e in v1_entries(pd.Timestamp("2016-07-28"), pd.Timestamp("2016-07-29"))]
    ['20160728.export.CSV.zip', '20160729.export.CSV.zip']
    """
    return [FileEntry("v1", f"{d:%Y%m%d}.export.CSV.zip", d)
            for d in pd.date_range(start, end, freq="D")]


def expected_slots(stream: Stream, start: pd.Timestamp, end: pd.Timestamp
                   ) -> Iterator[pd.Timestamp]:
    """The 15-minute time stamps GDELT 2.0 should have published on [start, end]."""
    lo = max(start, stream.first)
    return iter(pd.date_range(lo, end + pd.Timedelta(hours=23, minutes=45), freq="15min"))
