"""GDELT event files: the Events 2.0 15-minute exports and the Events 1.0 daily files.

What it is: GDELT's raw event records, downloaded from ``data.gdeltproject.org`` (or a
mirror, ``GDELT_EVENTS_URL``), verified against the master file list (size, MD5), filtered to
the actors asked for, and aggregated into the local dyad cube (``source="local"``). With
``mentions=True`` the Mentions files of the kept events are stored as well.

Public functions: :func:`fetch_events` (download, verify, store; resumable), :func:`read_mentions`,
:func:`upgrade_local_cube`; :class:`FetchReport` says what each run did.

Cache: ``<data dir>/gdelt/<stream>/`` (file lists, verified zips, manifests, kept rows and
daily totals; :mod:`toolkit.sources.events.cache` has the layout) and the cube months under
``<data dir>/cubes/local/``.

Modules: ``fetch`` (the run: plan, download, parse, store, in a crash-safe order),
``report`` (what a run did), ``rebuild`` (the local cube rebuilt from the stored rows),
``index`` (master file lists, streams), ``download`` (HTTP with deadlines and retries),
``unzip`` (the CSV member of a zip), ``tokenize`` and ``parse`` (TSV to Arrow), ``cache`` (the
on-disk layout), ``mentions``.
"""

from ..._lazy import lazy_submodules

__all__, __getattr__, __dir__ = lazy_submodules(__name__, {
    "fetch": ("fetch_events", "EventsFetchError", "EventsListError"),
    "report": ("FetchReport",),
    "rebuild": ("upgrade_local_cube", "rebuild_cube"),
    "mentions": ("read_mentions",),
    "download": ("RetryPolicy",),
})
