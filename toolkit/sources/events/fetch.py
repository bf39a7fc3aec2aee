"""GDELT event files → the local dyad cube: :func:`fetch_events`.

What a run does
---------------
1. Checks the input (product, days, actors, date basis) before any request.
2. Lists the files of the range: GDELT 2.0 from ``masterfilelist.txt`` (cached under the data
   directory with the base URL it came from; fetched again for another server or when the
   cached copy predates the range's end), GDELT 1.0 daily files by URL construction
   (:mod:`.index`). A list that names no file of the range is an error; days the
   list does not reach are never marked complete.
3. Skips files the manifest lists as ingested with the same md5 and actors; downloads the
   others with a bounded thread pool (:mod:`.download`: timeouts, exponential backoff,
   ``Retry-After``, size + md5 checks, atomic writes). A 404 is a gap: recorded, reported,
   not fatal.
4. Parses each file (its zip's member, :mod:`.unzip`; :mod:`.parse`): daily totals over every
   row, the rows whose Actor1CountryCode and Actor2CountryCode are both in the actor set in
   full, malformed lines counted per file.
5. Stores kept rows and per-file totals by month, then their manifest entries
   (:mod:`.cache`); rebuilds the cube of the touched months with the ONE aggregation
   (:func:`toolkit.aggregate.cube_sql` in DuckDB, :mod:`.rebuild`) and writes it with
   :func:`toolkit.store.write_cube` under :func:`toolkit.store.begin_rewrite`; only then
   records the days now complete (:func:`toolkit.store.set_coverage`).

6. With ``mentions=True``, after that commit: the Mentions files of the range, through the
   same download, verification, parsing rules and write order, keeping the mentions of the
   stored kept events (:mod:`.mentions`); their own coverage is recorded last.

The invariant: a day is trusted (in the coverage) only if its rows and totals are durably
stored and come from a file list that covers it. The order of the writes above keeps it at
every crash point, and a run repairs what says otherwise (:func:`_audit_stored`, months left
marked by :func:`toolkit.store.begin_rewrite`, cube files missing under covered days).

The whole run holds the data directory's file lock, so two notebooks fetching into the same
cache take turns instead of corrupting it.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import os
import shutil
import threading
import time
import warnings
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import filelock
import pandas as pd
import pyarrow as pa
import requests

from ... import aggregate as A
from ... import config, store
from ...actors import validate_actors
from ...errors import ToolkitError
from . import cache as C
from .download import (
    Cancelled,
    DownloadFailed,
    FileMissing,
    RetryPolicy,
    download,
    get_bounded,
)
from .index import (
    MENTIONS_OF,
    PRODUCTS,
    STREAMS,
    FileEntry,
    IndexSpan,
    Stream,
    check_product,
    expected_slots,
    first_day,
    index_owner,
    is_mentions,
    parse_index,
    select,
    v1_entries,
)
from .mentions import read_mentions, set_mentions_coverage
from .parse import ParsedFile, parse_exports, parse_mentions, rows_to_table, totals_table
from .rebuild import _months_missing_cube, _months_without_manifest, rebuild_cube
from .report import FetchReport
from .unzip import _unzip

log = logging.getLogger("toolkit")

DEFAULT_WORKERS = 4
#: Finished days are stored (parquet + manifest) once they hold this many files: four days
#: of GDELT 2.0 exports. Memory stays bounded (kept rows and totals are small) and a killed
#: run loses at most this much parsing, never downloads.
FLUSH_FILES = 384
#: How many worker threads may parse at once: more than the CPUs only adds contention.
_CPU_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
#: Files fetched and parsed by one task (see :func:`toolkit.sources.events.parse.parse_exports`).
BATCH_FILES = 8
MAX_WORKERS = 32
#: A 404 for a file published less than this long ago is retried on the next run (GDELT may
#: simply not have published it yet); older 404s are permanent gaps unless ``retry_gaps``.
GAP_GRACE = pd.Timedelta(days=2)
#: GDELT may still publish files of a day until an hour after it ends (UTC).
_DAY_PUBLISHED = pd.Timedelta(days=1, hours=1)


def _day_over(day: pd.Timestamp, now: pd.Timestamp) -> bool:
    """True once GDELT has published every file of ``day`` (:data:`_DAY_PUBLISHED`)."""
    return now >= day + _DAY_PUBLISHED


class EventsFetchError(ToolkitError):
    """No file of the run could be fetched; ``.report`` holds the details."""

    def __init__(self, message: str, report: FetchReport | None = None):
        super().__init__(message)
        self.report = report


class EventsListError(EventsFetchError):
    """The master file list does not cover the range asked for (wrong server, or not yet
    published): no day is marked complete."""


@dataclass
class _Result:
    entry: FileEntry
    status: str  # ingested | gap | failed
    how: str = ""  # downloaded | present
    nbytes: int = 0
    parsed: ParsedFile | None = None
    error: str = ""
    size: int = 0  # bytes of the zip on disk
    #: kept rows and totals of every file of its (stream, day), on one file of the day
    tables: tuple[pa.Table, pa.Table] | None = None


def _check_inputs(start, end, product, actors, date_basis, workers):
    from ...dates import parse_range

    streams = check_product(product)
    if start is None or end is None:
        raise ValueError("fetch_events needs both start and end days ('YYYY-MM-DD')")
    s, e = parse_range(start, end)
    first = first_day(product)
    if s < first:
        raise ValueError(f"start {s.date()} is before the first {product} file ({first.date()});"
                         f" use start >= {first.date()} (GDELT 1.0 daily files, product='v1',"
                         " start on 2013-04-01; GDELT 2.0 on 2015-02-18)")
    today = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()
    if e > today:
        raise ValueError(f"end {e.date()} is in the future; the last possible day is "
                         f"{today.date()} (UTC)")
    acts = validate_actors(actors)
    if date_basis not in A.DATE_BASES:
        raise ValueError(f"Unknown date_basis {date_basis!r}; choose one of {A.DATE_BASES}")
    if not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers must be an integer from 1 to {MAX_WORKERS}, got {workers!r}")
    return streams, s, e, acts


def _index_entries(stream: Stream, base: str, ddir: Path, start: pd.Timestamp,
                   end: pd.Timestamp, policy: RetryPolicy, stop
                   ) -> tuple[list[FileEntry], set[pd.Timestamp]]:
    """The stream's files on [start, end] from its master file list, and the days of the
    range the list speaks for (:meth:`IndexSpan.covers`).

    The list is cached under the data directory with the base URL it came from
    (``index.source``); it is reused only for that base URL and while it was fetched after
    ``end`` (else extended or fetched again).
    """
    p = C.stream_dir(ddir, index_owner(stream)) / "index.txt"
    src = p.with_name("index.source")
    url = f"{base}/{stream.index}"
    same_server = p.exists() and src.exists() and src.read_text(errors="replace").strip() == base
    fresh_after = (end + _DAY_PUBLISHED).timestamp()
    if not same_server or p.stat().st_mtime < fresh_after:
        if not (same_server and _extend_index(url, p, policy)):
            # the old list is not trusted for the new one: forget where it came from first
            src.unlink(missing_ok=True)
            try:
                download(url, p, policy=policy, stop=stop, max_bytes=policy.max_index_bytes)
            except FileMissing:
                raise DownloadFailed(f"{url} answered 404: is the base URL a GDELT mirror?"
                                     ) from None
            store.write_bytes_atomic(src, base.encode())
    span: list[IndexSpan] = []
    entries, bad = parse_index(p.read_text(errors="replace"), stream, start, end, span=span)
    if bad:
        log.info("toolkit: %d unparsable lines in %s ignored", bad, p)
    days = pd.date_range(start, end, freq="D")
    covered = {d for d in days if span[0].covers(d)}
    now = pd.Timestamp.now(tz="UTC").tz_localize(None)
    if any(d not in covered and _day_over(d, now) for d in days):
        # it should list those days and does not: not reused, fetched anew next run
        src.unlink(missing_ok=True)
    if not covered:
        what = (f"its {stream.suffix} files span {span[0].first}..{span[0].last}"
                if span[0].first else f"it names no {stream.suffix} file at all")
        raise EventsListError(
            f"the file list {url} does not cover {start:%Y-%m-%d}..{end:%Y-%m-%d} ({what}); "
            "nothing was marked complete. Is --base-url a GDELT mirror that holds the range?")
    return entries, covered


def _listed_files(stream: Stream, report: FetchReport, base: str, ddir: Path,
                  start: pd.Timestamp, end: pd.Timestamp, policy: RetryPolicy, stop
                  ) -> tuple[list[FileEntry], set[pd.Timestamp]]:
    """The stream's files published on [start, end] and the days its list covers
    (:func:`_index_entries`); the 15-minute slots of the range the list does not name are
    added to ``report.unlisted_slots``."""
    found, covered = _index_entries(stream, base, ddir, start, end, policy, stop)
    sel = select(found, start, end)
    have = {x.stamp for x in sel}
    report.unlisted_slots += sum(1 for t in expected_slots(stream, start, end)
                                 if t not in have)
    return sel, covered


def _extend_index(url: str, path: Path, policy: RetryPolicy) -> bool:
    """Append what GDELT added to its master file list since ``path`` was fetched.

    The list only grows at the end (over a million lines for GDELT 2.0, ~100 MB by our
    estimate), so a cached copy is extended with an HTTP Range request for the bytes after
    it. Returns False (the caller then fetches the whole list) when the cached copy does not
    end a line, the server refuses the range, or anything goes wrong; a server that ignores
    the range sends the whole list, which is then used as it is.
    """
    size = path.stat().st_size
    if size == 0:
        return False
    with open(path, "rb") as f:
        f.seek(size - 1)
        if f.read(1) != b"\n":
            return False
    try:
        r, body = get_bounded(url, headers={"Range": f"bytes={size}-"}, policy=policy,
                              max_bytes=policy.max_index_bytes)
    except (requests.RequestException, DownloadFailed):
        return False
    expected = r.headers.get("Content-Length")
    if expected is not None and expected.isdigit() and len(body) != int(expected):
        return False  # truncated
    total = r.headers.get("Content-Range", "").rpartition("/")[2]
    if r.status_code == 416 and total == str(size):  # nothing new
        os.utime(path)
        return True
    if r.status_code == 200 and body:  # the server ignored the range: this is the whole list
        store.write_bytes_atomic(path, body)
        return True
    if r.status_code != 206 or not r.headers.get("Content-Range", "").startswith(
            f"bytes {size}-"):
        return False
    with store.atomic_path(path) as tmp:
        with open(path, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
            dst.write(body)
    log.info("toolkit: extended %s by %d bytes", path.name, len(body))
    return True


def _local_copy(path: Path, entry: FileEntry, man: dict) -> tuple[bytes | None, bool]:
    """The file on disk if it can be used: (its bytes, md5 checked now), else (None, False).

    Read once, for the md5 and the unzip both. A file the manifest already verified (same
    md5 and size) is not hashed again; its CRC-32 is checked when it is unzipped instead, as
    for files the index gives no md5 for (GDELT 1.0).
    """
    try:
        blob = path.read_bytes()
    except OSError:
        return None, False
    if man.get("md5") is not None and man.get("md5") == entry.md5 \
            and man.get("bytes") == len(blob):
        return blob, False
    if entry.size is not None and len(blob) != entry.size:
        return None, False
    if entry.md5 is not None:
        return (blob, True) if hashlib.md5(blob).hexdigest() == entry.md5 else (None, False)
    return blob, False


def _fetch(entry: FileEntry, *, ddir: Path, base: str, policy: RetryPolicy, man: dict,
           stop) -> _Result | tuple[bytes, str, int, int]:
    """One file's CSV bytes, verified: (data, "downloaded"/"present", bytes downloaded, zip
    size), or the gap/failed :class:`_Result`."""
    path = C.file_path(ddir, entry.stream, entry.month, entry.name)
    nbytes = 0
    how = "present"
    blob, proven = _local_copy(path, entry, man)
    unzip = functools.partial(_unzip, member=entry.name[:-4], max_size=policy.max_member_bytes)
    if blob is not None and entry.md5 is None:  # only its CRC-32 can vouch for it
        try:
            return unzip(blob), how, nbytes, len(blob)
        except (zipfile.BadZipFile, zlib.error, EOFError):
            blob = None  # fetch it again
    if blob is None:
        try:
            nbytes = download(entry.url(base), path, size=entry.size, md5=entry.md5,
                              policy=policy, check_zip=entry.md5 is None, stop=stop)
        except FileMissing:
            return _Result(entry, "gap")
        except DownloadFailed as exc:
            return _Result(entry, "failed", error=str(exc))
        how = "downloaded"
        proven = entry.md5 is not None  # the download checked it
    try:
        if blob is None:
            blob = path.read_bytes()
        return unzip(blob, crc=not proven), how, nbytes, len(blob)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        path.unlink(missing_ok=True)  # a later run downloads it again
        return _Result(entry, "failed", error=f"unreadable zip: {exc}")


def _work(entries: list[FileEntry], mans: list[dict], *, ddir: Path, base: str,
          actors: tuple[str, ...], policy: RetryPolicy, stop, event_ids=None
          ) -> list[_Result]:
    """Fetch a few files of one stream, then parse them together (:func:`parse_exports`, or
    :func:`parse_mentions` keeping the mentions of ``event_ids`` for a Mentions stream)."""
    out: list[_Result | None] = []
    got: list[tuple[int, bytes]] = []
    for entry, man in zip(entries, mans, strict=True):
        r = _fetch(entry, ddir=ddir, base=base, policy=policy, man=man, stop=stop)
        if isinstance(r, _Result):
            out.append(r)
        else:
            data, how, nbytes, size = r
            out.append(_Result(entry, "ingested", how, nbytes, size=size))
            got.append((len(out) - 1, data))
    if got:
        stream = STREAMS[entries[0].stream]
        names = [out[k].entry.name for k, _ in got]
        with _CPU_SLOTS:  # downloads may overlap freely; parsing only as many as CPUs
            if is_mentions(stream.name):
                parsed = parse_mentions([d for _, d in got], stream, event_ids or (),
                                        names=names)
            else:
                parsed = parse_exports([d for _, d in got], stream, actors, names=names)
        for (k, _), p in zip(got, parsed, strict=True):
            out[k].parsed = p
    return out


def _batches(todo: list[FileEntry], size: int) -> list[list[FileEntry]]:
    """Consecutive entries in groups of up to ``size``, one (stream, day) per group."""
    out: list[list[FileEntry]] = []
    for x in todo:
        if out and len(out[-1]) < size and (out[-1][0].stream, out[-1][0].day) == (x.stream,
                                                                                   x.day):
            out[-1].append(x)
        else:
            out.append([x])
    return out


def _entry_from_manifest(stream: str, name: str, m: dict) -> FileEntry:
    stamp = (pd.to_datetime(name[:14], format="%Y%m%d%H%M%S") if name[8:14].isdigit()
             else pd.to_datetime(name[:8], format="%Y%m%d"))
    return FileEntry(stream, name, stamp, m.get("index_size"), m.get("md5"))


def fetch_events(start, end, *, product: str = "v2", actors=None,
                 data_dir: str | os.PathLike | None = None, base_url: str | None = None,
                 workers: int = DEFAULT_WORKERS, date_basis: str = "sqldate",
                 keep_files: bool = True, retry_gaps: bool = False,
                 policy: RetryPolicy | None = None, progress: bool = True,
                 mentions: bool = False) -> FetchReport:
    """Download, verify and parse GDELT event files into the local dyad cube.

    Parameters
    ----------
    start, end : str or date
        Inclusive range of UTC days; files *published* on these days are fetched.
    product : {"v2", "v2-all", "v1"}
        ``v2``: GDELT 2.0 English 15-minute exports (from 2015-02-18); ``v2-all``: plus the
        translingual exports; ``v1``: GDELT 1.0 daily files (from 2013-04-01), one download per
        day instead of 96 — the fast path for multi-year history.
    actors : iterable of str or str, optional
        CAMEO actor country codes (default RUS, KOR, PRK); an event is kept when BOTH
        Actor1CountryCode and Actor2CountryCode are in the set. Never FIPS geo codes (RS, KS,
        KN). Codes asked for once stay in the cache's set; adding one re-filters the files
        already ingested (from the kept zips, or by downloading them again).
    data_dir : path, optional
        Cache directory (default ``TOOLKIT_DATA_DIR`` or ``data/cache``).
    base_url : str, optional
        GDELT file server (default ``GDELT_BASE_URL`` or http://data.gdeltproject.org).
    workers : int
        Parallel downloads/parses (threads, 1..32).
    date_basis : {"sqldate", "dateadded"}
        Which day an event counts on in the cube and totals: ``sqldate`` (default) the day it
        happened, ``dateadded`` the UTC day GDELT published it. With ``sqldate``, events
        published after ``end`` about days in the range are not included (fetch a few days
        beyond ``end`` if that matters); with ``dateadded`` a day is exactly its files.
    keep_files : bool
        Keep the verified zips (~150 KB per 15-minute file, ~9 MB per 1.0 day) so that reruns
        and new actor sets need no download; False deletes each after parsing.
    retry_gaps : bool
        Ask again for files that answered 404 more than two days after publication.
    policy : RetryPolicy, optional
        Attempts, backoff and timeout (:class:`~toolkit.sources.events.download.RetryPolicy`).
    progress : bool
        Show a tqdm progress bar (terminal and JupyterLab).
    mentions : bool
        Also fetch the GDELT 2.0 Mentions files of the range (``v2``/``v2-all`` only; ~1.7x
        the download of the exports) and store the mentions of the kept events: every
        article that mentioned them, with time, source, confidence and tone
        (:func:`read_mentions`). A mention is kept when its GLOBALEVENTID is among the
        events stored when its file is parsed; the exports of a run are stored first, so
        mentions of events published in the range (or in ranges fetched before) are kept;
        stored Mentions files that predate events stored later (an earlier range fetched
        afterwards, more actors) are matched again from their kept zips. Mentions published
        after ``end`` are stored only by a fetch of their days (with ``mentions=True``).

    Returns
    -------
    FetchReport
        Counts of files (downloaded / already present / missing / failed) and rows (read /
        kept / malformed); ``print(report)`` shows a summary.

    Raises
    ------
    ValueError
        Bad input, before any request: unknown product or actor code, start after end, dates
        before the product's first file or in the future, unknown date basis.
    EventsFetchError
        Every file of the run failed (or answered 404: a wrong ``base_url``?), or
        (:class:`EventsListError`) the master file list names no file of the range.
    DownloadFailed
        The master file list could not be fetched (404, unreachable server).
    toolkit.errors.CacheCorrupt
        A cache file (manifest, state, coverage, parquet) is damaged; the message names it.

    Examples
    --------
    >>> import toolkit
    >>> report = toolkit.fetch_events("2024-06-01", "2024-06-03")  # doctest: +SKIP
    >>> print(report)  # doctest: +SKIP
    >>> cube = toolkit.load_cube("2024-06-01", "2024-06-03", source="local")  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    streams, s, e, acts = _check_inputs(start, end, product, actors, date_basis, workers)
    if mentions and not all(st.name in MENTIONS_OF for st in streams):
        raise ValueError(f"GDELT {product} has no Mentions files (they exist for GDELT 2.0 "
                         "only); use product 'v2' or 'v2-all' with mentions, or drop it")
    policy = policy or RetryPolicy()
    base = config.gdelt_base_url(base_url)
    ddir = config.data_dir(data_dir)
    report = FetchReport(product, f"{s:%Y-%m-%d}", f"{e:%Y-%m-%d}", acts, date_basis, str(ddir))
    stop = threading.Event()

    lk = store.lock(ddir)
    try:
        lk.acquire(timeout=0)
    except filelock.Timeout:  # another process (a second notebook?) is fetching
        log.warning("toolkit: waiting for another fetch into %s to finish", ddir)
        lk.acquire()
    try:
        with store.batched_sync():  # cache writes are flushed to disk in a few batches
            report = _fetch_locked(report, streams=streams, s=s, e=e, acts=acts, ddir=ddir,
                                   base=base, policy=policy, stop=stop, workers=workers,
                                   product=product, date_basis=date_basis,
                                   keep_files=keep_files, retry_gaps=retry_gaps,
                                   progress=progress, t0=t0, mentions=mentions)
    finally:
        lk.release()
    report.seconds = time.perf_counter() - t0
    if report.failed:
        warnings.warn(f"{len(report.failed)} GDELT file(s) failed; their days are not marked "
                      "complete. Rerun to retry.\n" + report.summary(), stacklevel=2)
    elif report.mentions is not None and not report.mentions.ok:
        warnings.warn("GDELT Mentions files failed or are not listed; their days are not "
                      "marked complete for mentions. Rerun to retry.\n" + report.summary(),
                      stacklevel=2)
    elif report.unlisted_days:
        warnings.warn(f"GDELT's file list does not cover {len(report.unlisted_days)} day(s) "
                      "of the range; they are not marked complete.\n" + report.summary(),
                      stacklevel=2)
    elif report.missing:
        log.warning("toolkit: %d GDELT file(s) missing at the source (404), recorded as gaps",
                    len(report.missing))
    return report


def _fetch_locked(report: FetchReport, *, streams, s, e, acts, ddir: Path, base: str,
                  policy: RetryPolicy, stop, workers: int, product: str, date_basis: str,
                  keep_files: bool, retry_gaps: bool, progress: bool, t0: float,
                  mentions: bool = False) -> FetchReport:
    """The body of :func:`fetch_events`, run while holding the data directory's lock."""
    C.clean_stale_temps(ddir)
    state = C.read_state(ddir)
    if state.get("product") not in (None, product):
        raise ValueError(
            f"The cache {ddir} holds GDELT {state['product']} data; products are not mixed "
            f"in one cube (their event IDs differ). Use product={state['product']!r} or "
            "another data_dir for this product.")
    old_actors = tuple(state.get("actors", ()))
    keep_set = old_actors + tuple(a for a in acts if a not in old_actors)
    grew = bool(old_actors) and keep_set != old_actors
    basis_changed = state.get("date_basis") not in (None, date_basis)

    entries: list[FileEntry] = []
    range_days = set(pd.date_range(s, e, freq="D"))
    listed_days = set(range_days)  # days every stream's file list speaks for
    for st in streams:
        if st.index is None:
            entries += v1_entries(s, e)
        else:
            try:
                sel, covered = _listed_files(st, report, base, ddir, s, e, policy, stop)
            except EventsFetchError as exc:
                exc.report = report
                raise
            listed_days &= covered
            entries += sel
    now = pd.Timestamp.now(tz="UTC").tz_localize(None)
    report.unlisted_days = [f"{d:%Y-%m-%d}" for d in sorted(range_days - listed_days)
                            if _day_over(d, now)]
    report.files_selected = len(entries)
    _audit_stored(ddir, entries)
    in_range = {(x.stream, x.name) for x in entries}
    if grew:  # re-filter everything ingested before with the larger actor set
        for st in streams:
            for name, m in C.manifest_entries(ddir, st.name):
                if m.get("status") == "ingested" and (st.name, name) not in in_range:
                    entries.append(_entry_from_manifest(st.name, name, m))

    man_of = _manifest_lookup(ddir)
    todo = _plan(entries, report, man_of, keep_set, retry_gaps)

    results = _run(todo, report, ddir=ddir, base=base, keep_set=keep_set, policy=policy,
                   keep_files=keep_files, workers=workers, progress=progress, stop=stop,
                   man_of=man_of, now=now)

    ingested = sum(1 for r in results if r.status == "ingested")
    gaps = [r for r in results if r.status == "gap"]
    # an error only when nothing of the range is usable: no file ingested now or before
    if todo and ingested == 0 and report.already_ingested == 0 and (
            report.failed or len(gaps) == len(todo)):
        why = ("every file answered 404 (is the base URL right?)" if not report.failed
               else f"all {len(report.failed)} files failed; first error: "
                    f"{next(iter(report.failed.values()))}")
        report.seconds = time.perf_counter() - t0
        if not report.failed:  # do not record gaps a wrong base URL made up
            _forget_gaps(ddir, gaps)
        raise EventsFetchError(f"No GDELT file could be fetched: {why}", report)

    # The commit, in an order that no crash point can leave coverage ahead of data:
    # rows, totals and manifests are stored (above, by _store); then the cube months
    # are rewritten under a "rewriting" mark that hides them from the coverage; then the
    # coverage of the range is set to the days now complete; the mark goes last.
    complete = [d for d in _complete_days(entries, s, e, ddir, now) if d in listed_days]
    months = {f"{d:%Y-%m}" for d in range_days}
    months |= set(store.pending_rewrite(store="local", data_dir=ddir))
    recorded = [d for r in store.recorded_coverage(store="local", data_dir=ddir)
                for d in pd.date_range(r["start"], r["end"], freq="D")]
    lost = _months_without_manifest(ddir, streams, recorded) - months
    if lost:  # nothing backs those days any more: withdrawn until fetched again
        log.warning("toolkit: no manifest for %s: their days are no longer marked complete; "
                    "fetch them again", ", ".join(sorted(lost)))
        for m in sorted(lost):
            lo = pd.Timestamp(f"{m}-01")
            store.set_coverage(lo, lo + pd.offsets.MonthEnd(0), [], store="local",
                               data_dir=ddir)
        recorded = [d for d in recorded if f"{d:%Y-%m}" not in lost]
    if grew or basis_changed:
        months |= {f"{d:%Y-%m}" for d in recorded}
    months |= _months_missing_cube(ddir, recorded)
    months |= set(store.old_schema_months(store="local", data_dir=ddir))  # before source_type
    days = {d for d in recorded if f"{d:%Y-%m}" in months and d not in range_days}
    days |= set(complete)
    store.begin_rewrite(sorted(months), store="local", data_dir=ddir)
    store.sync_now()  # the stored rows, totals, manifests and the mark are on disk
    report.months_written = rebuild_cube(ddir, [st.name for st in streams], keep_set,
                                         date_basis, sorted(months), days=days)
    store.sync_now()  # the cube is on disk before the coverage that vouches for it
    store.set_coverage(s, e, complete, store="local", data_dir=ddir)
    C.write_state(ddir, {"product": product, "actors": list(keep_set),
                         "date_basis": date_basis})
    store.sync_now()
    store.end_rewrite(store="local", data_dir=ddir)
    report.coverage = store.coverage(store="local", data_dir=ddir)
    if mentions:  # after the cube's commit: a Mentions fault never holds the cube back
        report.mentions = _fetch_mentions(
            report, streams=streams, s=s, e=e, keep_set=keep_set, ddir=ddir,
            base=base, policy=policy, stop=stop, workers=workers, keep_files=keep_files,
            retry_gaps=retry_gaps, progress=progress)
    return report


def _manifest_lookup(ddir: Path) -> Callable[[FileEntry], dict]:
    """A file's manifest entry ({} if none), reading each stream-month's manifest once."""
    manifests: dict[tuple[str, str], dict] = {}

    def man_of(x: FileEntry) -> dict:
        key = (x.stream, x.month)
        if key not in manifests:
            manifests[key] = C.read_manifest(ddir, *key)
        return manifests[key].get(x.name, {})

    return man_of


def _plan(entries: list[FileEntry], report: FetchReport, man_of, keep_set,
          retry_gaps: bool, force: frozenset = frozenset()) -> list[FileEntry]:
    """The entries to fetch or parse again; the others are counted in ``report`` as already
    ingested (same md5, actors) or as settled gaps. ``force``: (stream, name) of files to
    parse again even so."""
    todo: list[FileEntry] = []
    for x in entries:
        m = man_of(x)
        if ((x.stream, x.name) not in force and m.get("status") == "ingested"
                and set(m.get("actors", ())) >= set(keep_set)
                and (x.md5 is None or m.get("md5") == x.md5)):
            report.already_ingested += 1
        elif (m.get("status") == "gap" and not retry_gaps
              and pd.Timestamp(m.get("checked_at", "1970-01-01")) - x.stamp > GAP_GRACE):
            report.missing.append(x.name)
        else:
            if m.get("status") == "ingested":
                report.reprocessed += 1
            todo.append(x)
    return todo


def _stored_at(m: dict) -> str:
    return m.get("ingested_us") or m.get("ingested_at", "")


def _stale_mentions(ddir: Path, streams, mstreams) -> list[FileEntry]:
    """Ingested Mentions files that were parsed before events they may mention were stored.

    A mention can only name an event published in the same 15-minute file or earlier, so a
    Mentions file stamped T is matched again when an export stamped T or earlier was stored
    (with kept rows) after it was parsed: a range fetched after a later one, or the files
    re-filtered for a larger actor set. Read from the manifests (the ``ingested_us`` times).
    """
    import bisect

    earliest: dict[str, str] = {}  # storage time -> earliest export stamp stored then
    for st in streams:
        for name, m in C.manifest_entries(ddir, st.name):
            if m.get("status") == "ingested" and m.get("kept", 0) > 0:
                t, stamp = _stored_at(m), name[:14]
                if stamp < earliest.get(t, "99999999999999"):
                    earliest[t] = stamp
    times = sorted(earliest)
    after = [earliest[t] for t in times]  # -> earliest stamp stored at or after times[i]
    for i in range(len(after) - 2, -1, -1):
        after[i] = min(after[i], after[i + 1])
    out = []
    for ms in mstreams:
        for name, m in C.manifest_entries(ddir, ms.name):
            if m.get("status") != "ingested":
                continue
            i = bisect.bisect_right(times, _stored_at(m))
            if i < len(times) and after[i] <= name[:14]:
                out.append(_entry_from_manifest(ms.name, name, m))
    return out


def _fetch_mentions(parent: FetchReport, *, streams, s, e, keep_set, ddir: Path,
                    base: str, policy: RetryPolicy, stop, workers: int, keep_files: bool,
                    retry_gaps: bool, progress: bool) -> FetchReport:
    """Fetch, verify and parse the Mentions files of [s, e]; store the mentions of the
    stored kept events, then record the days whose every Mentions file is in.

    Runs after the exports of the run are stored (and the cube committed), so a mention is
    matched against every event stored so far (:func:`fetch_events`, ``mentions``). The
    same download, verification, manifest and write order as the exports; a Mentions file
    is listed as ingested only once its mentions are stored, and a day is in the Mentions
    coverage only once all its files are.
    """
    rep = FetchReport(parent.product, parent.start, parent.end, keep_set, parent.date_basis,
                      parent.data_dir)
    mstreams = [STREAMS[MENTIONS_OF[st.name]] for st in streams]
    now = pd.Timestamp.now(tz="UTC").tz_localize(None)
    range_days = set(pd.date_range(s, e, freq="D"))
    by_stream: dict[str, list[FileEntry]] = {}
    listed: dict[str, set] = {}
    for ms in mstreams:
        try:
            by_stream[ms.name], covered = _listed_files(ms, rep, base, ddir, s, e, policy,
                                                        stop)
        except EventsListError as exc:
            rep.list_error = str(exc)
            continue
        listed[ms.name] = covered
        rep.unlisted_days += [f"{d:%Y-%m-%d}" for d in sorted(range_days - covered)
                              if _day_over(d, now)]
    rep.unlisted_days = sorted(set(rep.unlisted_days))
    entries = [x for xs in by_stream.values() for x in xs]
    rep.files_selected = len(entries)
    _audit_stored(ddir, entries)
    # events stored since some Mentions files were parsed (an earlier range fetched later, a
    # larger actor set): those files are matched again, from the kept zips
    in_range = {(x.stream, x.name) for x in entries}
    stale = _stale_mentions(ddir, streams, mstreams)
    entries += [x for x in stale if (x.stream, x.name) not in in_range]
    force = frozenset((x.stream, x.name) for x in stale)
    man_of = _manifest_lookup(ddir)
    todo = _plan(entries, rep, man_of, keep_set, retry_gaps, force)
    ids = None
    if todo:
        col = C.read_all(ddir, [st.name for st in streams], "rows", columns=["GLOBALEVENTID"])
        ids = set(col["GLOBALEVENTID"].to_pylist())
    results = _run(todo, rep, ddir=ddir, base=base, keep_set=keep_set, policy=policy,
                   keep_files=keep_files, workers=workers, progress=progress, stop=stop,
                   man_of=man_of, now=now, event_ids=ids, desc="GDELT mentions")
    gaps = [r for r in results if r.status == "gap"]
    if todo and gaps and len(gaps) == len(todo) and rep.already_ingested == 0:
        _forget_gaps(ddir, gaps)  # a server without Mentions files: no gaps made up
        rep.list_error = (f"every Mentions file answered 404 ({len(gaps)} files): does "
                          "--base-url serve GDELT 2.0 Mentions files?")
        return rep
    store.sync_now()  # the mentions and their manifests are on disk before the coverage
    for ms in mstreams:
        if ms.name in by_stream:
            done = [d for d in _complete_days(by_stream[ms.name], s, e, ddir, now)
                    if d in listed[ms.name]]
            set_mentions_coverage(ddir, ms.name, s, e, done)
    store.sync_now()
    return rep


def _run(todo, report, *, ddir, base, keep_set, policy, keep_files, workers, progress, stop,
         man_of, now, event_ids=None, desc: str = "GDELT events") -> list[_Result]:
    """Fetch and parse ``todo`` on a thread pool.

    Finished (stream, day)s are stored once they hold :data:`FLUSH_FILES` files (and at the
    end, or on an interrupt), and their parsed rows are then dropped, so memory stays flat
    however long the range. Returns the results without their parsed content.
    """
    from tqdm.auto import tqdm

    results: list[_Result] = []
    if not todo:
        return results
    # results are stored by whole (stream, day), in batches of at least FLUSH_FILES files
    left: dict[tuple[str, pd.Timestamp], int] = defaultdict(int)
    for x in todo:
        left[(x.stream, x.day)] += 1
    done_by_group: dict[tuple[str, pd.Timestamp], list[_Result]] = defaultdict(list)
    finished: list[_Result] = []

    def flush() -> None:
        _store(finished, ddir, keep_set, now, keep_files)
        finished.clear()

    bar = tqdm(total=len(todo), unit="file", desc=desc, disable=not progress,
               dynamic_ncols=True)
    mb = 0.0
    # a few files per task: their parse runs as one (fewer, larger numpy calls), while
    # there are still enough tasks to keep every worker busy
    size = max(1, min(BATCH_FILES, len(todo) // (2 * workers)))
    queue = iter(_batches(todo, size))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gdelt") as pool:

        def submit(n: int) -> None:
            for xs in itertools.islice(queue, n):
                pending.add(pool.submit(_work, xs, [man_of(x) for x in xs], ddir=ddir,
                                        base=base, actors=keep_set, policy=policy,
                                        stop=stop, event_ids=event_ids))

        # a sliding window of 2 tasks per worker: memory and waiting stay O(workers), not
        # O(files), and files finish roughly in order so months are stored as they complete
        pending: set = set()
        submit(2 * workers)
        try:
            while pending:
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                submit(len(done))
                for r in (r for f in done for r in f.result()):
                    _account(r, report)
                    key = (r.entry.stream, r.entry.day)
                    done_by_group[key].append(r)
                    left[key] -= 1
                    if left[key] == 0:
                        # the day's Arrow tables are built now, while the workers go on,
                        # rather than all at the end
                        finished.extend(_with_tables(done_by_group.pop(key)))
                        if len(finished) >= FLUSH_FILES:
                            flush()
                    results.append(_Result(r.entry, r.status, r.how, r.nbytes, None, r.error))
                    mb += r.nbytes / 1e6
                    bar.update(1)
                    bar.set_postfix_str(f"{mb:.1f} MB, {report.rows_kept:,} rows kept",
                                        refresh=False)
        except (KeyboardInterrupt, Cancelled):
            stop.set()
            for f in pending:
                f.cancel()
            # tasks that finished after the last wait() are finished too: keep them
            for f in pending:
                if f.done() and not f.cancelled() and f.exception() is None:
                    for r in f.result():
                        _account(r, report)
                        done_by_group[(r.entry.stream, r.entry.day)].append(r)
            # keep what is finished: the rerun resumes from there
            for rs in done_by_group.values():
                finished.extend(_with_tables(rs))
            flush()
            bar.close()
            raise
    flush()
    bar.close()
    return results


def _with_tables(results: list[_Result]) -> list[_Result]:
    """``results`` with the Arrow tables of all their kept rows and totals on the first."""
    parsed = [x.parsed for x in results if x.parsed is not None]
    results[0].tables = (rows_to_table([t for p in parsed for t in p.kept],
                                       C.rows_schema(results[0].entry.stream)),
                         totals_table(parsed))
    return results


def _account(r: _Result, report: FetchReport) -> None:
    if r.status == "gap":
        report.missing.append(r.entry.name)
    elif r.status == "failed":
        report.failed[r.entry.name] = r.error
    else:
        p = r.parsed
        if r.how == "downloaded":
            report.downloaded += 1
            report.bytes_downloaded += r.nbytes
        else:
            report.present += 1
        report.rows_read += p.rows
        report.rows_kept += len(p.kept)
        report.rows_malformed += p.malformed
        if p.malformed:
            report.malformed_by_file[r.entry.name] = {
                "count": p.malformed, "reasons": p.reasons, "examples": p.examples}


def _store(results: list[_Result], ddir: Path, keep_set, now, keep_files: bool = True) -> None:
    """Write the rows, totals and manifest entries of finished files, month by month."""
    groups: dict[tuple[str, str], list[_Result]] = defaultdict(list)
    for r in results:
        groups[(r.entry.stream, r.entry.month)].append(r)
    for (stream, month), rs in sorted(groups.items()):
        old = C.read_manifest(ddir, stream, month)
        entries: dict[str, dict] = {}
        replaced: set[str] = set()
        rows: list[pa.Table] = []
        totals: list[pa.Table] = []
        if any(r.parsed is not None for r in rs) and all(r.tables is None for r in rs):
            raise RuntimeError("internal: parsed results reached _store without tables")
        for r in rs:
            name = r.entry.name
            prev = old.get(name, {})
            if r.tables is not None:
                rows.append(r.tables[0])
                totals.append(r.tables[1])
            if r.status == "ingested":
                p = r.parsed
                replaced.add(name)
                entries[name] = {
                    "status": "ingested", "md5": r.entry.md5, "index_size": r.entry.size,
                    "bytes": r.size,
                    "rows": p.rows, "kept": len(p.kept), "malformed": p.malformed,
                    "malformed_reasons": p.reasons, "malformed_examples": p.examples,
                    "actors": list(keep_set), "ingested_at": f"{now:%Y-%m-%dT%H:%M:%S}",
                    # finer, to order the runs (which Mentions files predate which events)
                    "ingested_us": f"{now:%Y-%m-%dT%H:%M:%S.%f}",
                }
            elif prev.get("status") == "ingested":
                entries[name] = {**prev, "last_error": r.error or "404 on re-fetch"}
            elif r.status == "gap":
                entries[name] = {"status": "gap", "checked_at": f"{now:%Y-%m-%dT%H:%M:%S}"}
            else:
                entries[name] = {"status": "failed", "error": r.error,
                                 "checked_at": f"{now:%Y-%m-%dT%H:%M:%S}"}
        C.store_month(ddir, stream, month, replaced,
                      pa.concat_tables(rows) if rows else rows_to_table([], C.rows_schema(stream)),
                      pa.concat_tables(totals) if totals else totals_table([]), entries)
        if not keep_files:  # only now that what they hold is stored
            for name in replaced:
                C.file_path(ddir, stream, month, name).unlink(missing_ok=True)


def _forget_gaps(ddir: Path, gaps: list[_Result]) -> None:
    by_group: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in gaps:
        by_group[(r.entry.stream, r.entry.month)].append(r.entry.name)
    for (stream, month), names in by_group.items():
        man = C.read_manifest(ddir, stream, month)
        for n in names:
            if man.get(n, {}).get("status") == "gap":
                del man[n]
        C.write_manifest(ddir, stream, month, man)


def _complete_days(entries, s, e, ddir, now: pd.Timestamp) -> list[pd.Timestamp]:
    """Days of [s, e] that are over and whose every file is ingested or a settled gap.

    A day is not complete while GDELT may still publish files for it (until an hour after
    it ends, UTC) or while one of its 404s is younger than :data:`GAP_GRACE` (retried next
    run), so ``load_cube(source="auto")`` never takes a partial day for a finished one.
    """
    by_day: dict[pd.Timestamp, list[FileEntry]] = defaultdict(list)
    for x in entries:
        by_day[x.day].append(x)
    mans: dict[tuple[str, str], dict] = {}
    out = []
    for d in pd.date_range(s, e, freq="D"):
        ok = _day_over(d, now)
        for x in by_day.get(d, []) if ok else ():
            key = (x.stream, x.month)
            if key not in mans:
                mans[key] = C.read_manifest(ddir, *key)
            m = mans[key].get(x.name, {})
            settled_gap = (m.get("status") == "gap" and pd.Timestamp(
                m.get("checked_at", "1970-01-01")) - x.stamp > GAP_GRACE)
            if m.get("status") != "ingested" and not settled_gap:
                ok = False
                break
        if ok:
            out.append(d)
    return out


def _audit_stored(ddir: Path, entries: list[FileEntry]) -> None:
    """Forget manifest entries of the range that claim a file is ingested while its totals
    are not stored (a parquet file lost or replaced): those files are ingested again.

    Every ingested file with at least one well-formed line has a totals row; its kept rows
    may all have been de-duplicated away, so only the totals are checked.
    """
    import pyarrow.parquet as pq

    for stream, month in sorted({(x.stream, x.month) for x in entries}):
        man = C.read_manifest(ddir, stream, month)
        claims = {n for n, m in man.items() if m.get("status") == "ingested"
                  and m.get("rows", 0) > m.get("malformed", 0)}
        if not claims:
            continue
        p = C.stream_dir(ddir, stream) / "totals" / f"{month}.parquet"
        have = set(C._guarded(pq.read_table, p, columns=["source_file"])["source_file"]
                   .to_pylist()) if p.exists() else set()
        lost = claims - have
        if lost:
            log.warning("toolkit: %d file(s) of %s %s are listed as ingested but their "
                        "totals are not stored; ingesting them again", len(lost), stream,
                        month)
            C.write_manifest(ddir, stream, month,
                             {n: m for n, m in man.items() if n not in lost})


__all__ = ["fetch_events", "FetchReport", "EventsFetchError", "RetryPolicy", "PRODUCTS",
           "read_mentions"]
