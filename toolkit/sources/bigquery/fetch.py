"""GDELT 2.0 Events on Google BigQuery: the cube's SQL, cost guard, fetch and cache.

GDELT publishes its events on BigQuery as ``gdelt-bq.gdeltv2.events_partitioned``, partitioned
by ingestion day. Eleven years are over a billion rows; the toolkit runs the cube's aggregation
there (the ONE definition in :mod:`toolkit.aggregate`) and brings back only the cube and the
daily totals: kilobytes to a few megabytes.

Workflow
--------
1. :func:`bigquery_sql` prints the query (no account needed).
2. :func:`estimate_bigquery` dry-runs it: bytes to be processed and an estimated cost (free).
3. :func:`fetch_bigquery` dry-runs again, refuses when the estimate exceeds the ceiling
   (``max_gb``, default :data:`DEFAULT_MAX_GB`), runs the two queries with BigQuery's own
   ``maximum_bytes_billed`` set, and caches the results with provenance.
4. ``toolkit.load_cube(start, end, source="bigquery")`` reads the cache (:func:`load`). It never
   runs a query by itself: querying costs money, so it only happens when asked for explicitly.

Cost model
----------
BigQuery bills on-demand queries by the bytes of the columns it reads in the partitions it
scans, not by rows returned. The estimate is ``max(bytes, 10 MiB per query) / 2**40 ×``
:data:`USD_PER_TIB` (US$ 6.25 per TiB, Google's on-demand list price since July 2023; the
first 1 TiB per month per billing account is free). Prices differ by region and change:
override with ``TOOLKIT_BQ_USD_PER_TIB``. Capacity (slot) pricing is not modelled.

Authentication
--------------
Application Default Credentials only (``gcloud auth application-default login``, or
``GOOGLE_APPLICATION_CREDENTIALS`` pointing at a key file kept OUTSIDE the repository). The
billing project comes from the ``project`` argument, else ``TOOLKIT_BQ_PROJECT``, else
``GOOGLE_CLOUD_PROJECT``, else the ADC default project. Nothing secret is ever written.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from ... import aggregate as A
from ... import schema as S
from ...actors import validate_actors
from ...errors import ToolkitError
from .cache import STORE, _cached, _check_cache_basis, _write_cache, fetches, load, provenance
from .sql import (
    FIRST_DAY,
    TABLE,
    _check_range,
    bigquery_sql,
    bigquery_totals_sql,
    check_table,
    select_star_sql,
)

log = logging.getLogger("toolkit")

#: On-demand list price, US$ per TiB processed (July 2023; may change, varies by region).
USD_PER_TIB = 6.25
#: Default ceiling on bytes billed per fetch, in GB (10**9 bytes): about US$ 0.28.
DEFAULT_MAX_GB = 50.0
#: BigQuery bills at least 10 MiB per query (per table referenced).
MIN_BILLED_BYTES = 10 * 2**20
GB = 10**9
TIB = 2**40
#: Job label so that users can find the toolkit's jobs in their billing export.
JOB_LABELS = {"client": "rokrus-rhetoric-toolkit"}


# --------------------------------------------------------------------------- errors
class BigQueryError(ToolkitError):
    """BigQuery refused or failed a request; the message says what to do (CLI: exit 1)."""


class BigQueryNotInstalled(ImportError):
    """The optional ``google-cloud-bigquery`` package is not installed."""


class BigQueryAuthError(BigQueryError):
    """No usable Google credentials or billing project."""


class CostLimitExceeded(BigQueryError):
    """The dry-run estimate is above the bytes ceiling; nothing was run or billed."""

    def __init__(self, message: str, *, estimated_bytes: int, max_bytes_billed: int):
        super().__init__(message)
        self.estimated_bytes = estimated_bytes
        self.max_bytes_billed = max_bytes_billed


# --------------------------------------------------------------------------- cost
def usd_per_tib() -> float:
    """The on-demand price used for estimates: ``TOOLKIT_BQ_USD_PER_TIB`` or :data:`USD_PER_TIB`."""
    raw = os.environ.get("TOOLKIT_BQ_USD_PER_TIB", "").strip()
    if not raw:
        return USD_PER_TIB
    try:
        price = float(raw)
    except ValueError:
        raise ValueError(f"TOOLKIT_BQ_USD_PER_TIB={raw!r} is not a number (US$ per TiB, "
                         f"e.g. {USD_PER_TIB})") from None
    if price < 0:
        raise ValueError(f"TOOLKIT_BQ_USD_PER_TIB={raw!r} must be >= 0")
    return price


def estimate_cost_usd(n_bytes: int, *, price_per_tib: float | None = None) -> float:
    """Estimated on-demand cost in US$ of processing ``n_bytes`` in one query.

    Applies BigQuery's 10 MiB minimum per query; ignores the monthly free TiB.

    Examples
    --------
    >>> round(estimate_cost_usd(2**40, price_per_tib=6.25), 2)
    6.25
    """
    price = usd_per_tib() if price_per_tib is None else price_per_tib
    return max(int(n_bytes), MIN_BILLED_BYTES) / TIB * price


def max_bytes_from_gb(max_gb: float | None) -> int:
    """The bytes ceiling for ``max_gb`` (GB = 10**9 bytes); None means :data:`DEFAULT_MAX_GB`."""
    gb = DEFAULT_MAX_GB if max_gb is None else max_gb
    try:
        gb = float(gb)
    except (TypeError, ValueError):
        raise ValueError(f"max_gb={max_gb!r} is not a number of GB") from None
    if not gb > 0:
        raise ValueError(f"max_gb must be > 0 GB, got {max_gb!r}; the ceiling is always set")
    if not math.isfinite(gb) or gb * GB >= 2**63:  # BigQuery takes an int64 of bytes
        raise ValueError(f"max_gb={max_gb!r} is not a finite ceiling; give a number of GB "
                         "(10**9 bytes) such as 50 or 160; the ceiling is always set")
    return int(gb * GB)


def fmt_bytes(n: int) -> str:
    """Human-readable decimal size, e.g. ``'1.23 GB'``."""
    for unit, size in (("TB", 10**12), ("GB", GB), ("MB", 10**6), ("kB", 10**3)):
        if abs(n) >= size:
            return f"{n / size:,.2f} {unit}"
    return f"{n} B"


@dataclass
class QueryEstimate:
    """A dry run's answer for one query."""

    label: str
    sql: str
    bytes_processed: int
    usd: float

    def line(self) -> str:
        return f"{self.label:<12} {fmt_bytes(self.bytes_processed):>12}   ~US$ {self.usd:,.4f}"


@dataclass
class Estimate:
    """Dry-run estimates for a fetch (cube + totals) and, optionally, SELECT * for comparison."""

    start: str
    end: str
    project: str
    queries: list[QueryEstimate]
    max_bytes_billed: int
    usd_per_tib: float
    comparison: QueryEstimate | None = None

    @property
    def bytes_processed(self) -> int:
        return sum(q.bytes_processed for q in self.queries)

    @property
    def usd(self) -> float:
        return sum(q.usd for q in self.queries)

    @property
    def bytes_billed_estimate(self) -> int:
        """Bytes the fetch would bill: each query's estimate, at least 10 MiB per query."""
        return sum(max(q.bytes_processed, MIN_BILLED_BYTES) for q in self.queries)

    @property
    def within_limit(self) -> bool:
        """True when the whole fetch (every query together) fits under the ceiling."""
        return self.bytes_billed_estimate <= self.max_bytes_billed

    def summary(self) -> str:
        """A few lines for people: per query, total, ceiling, comparison."""
        lines = [f"BigQuery dry run, {self.start} to {self.end} (project {self.project}), "
                 f"at US$ {self.usd_per_tib:g}/TiB on-demand (an assumption; check your "
                 "region's price):"]
        lines += ["  " + q.line() for q in self.queries]
        verdict = "within" if self.within_limit else "ABOVE"
        lines.append(f"  {'total':<12} {fmt_bytes(self.bytes_processed):>12}   ~US$ "
                     f"{self.usd:,.4f}  ({verdict} the ceiling of "
                     f"{fmt_bytes(self.max_bytes_billed)})")
        if self.comparison is not None:
            c = self.comparison
            ratio = (f", {c.bytes_processed / self.bytes_processed:,.1f}× the cube's queries"
                     if self.bytes_processed else "")
            lines.append(f"  for comparison, SELECT * over the same partitions: "
                         f"{fmt_bytes(c.bytes_processed)} (~US$ {c.usd:,.4f}{ratio})")
        return "\n".join(lines)


# --------------------------------------------------------------------------- client
def _import_bigquery():
    """``google.cloud.bigquery``, imported only when a query is actually sent."""
    import importlib

    try:
        bigquery = importlib.import_module("google.cloud.bigquery")
    except ImportError as exc:
        raise BigQueryNotInstalled(
            "Running queries on BigQuery needs the optional extra google-cloud-bigquery: "
            "pip install -e '.[bigquery]' (printing the SQL with `toolkit bigquery sql` / "
            "toolkit.bigquery_sql works without it)"
        ) from exc
    return bigquery


def resolve_project(project: str | None = None) -> str | None:
    """The billing project: argument > ``TOOLKIT_BQ_PROJECT`` > ``GOOGLE_CLOUD_PROJECT``.

    None means "let Application Default Credentials decide".
    """
    for value in (project, os.environ.get("TOOLKIT_BQ_PROJECT"),
                  os.environ.get("GOOGLE_CLOUD_PROJECT")):
        if value and str(value).strip():
            return str(value).strip()
    return None


_AUTH_HELP = (
    "Authenticate with Application Default Credentials: run `gcloud auth application-default "
    "login` (or set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file kept outside "
    "the repository), and give a billing project with --project / project=... or the "
    "TOOLKIT_BQ_PROJECT environment variable. Never put credentials in notebooks or the repo."
)


def make_client(project: str | None = None, *, location: str | None = None):
    """A ``google.cloud.bigquery.Client`` using Application Default Credentials.

    Parameters
    ----------
    project : str, optional
        Billing project (see :func:`resolve_project`).
    location : str, optional
        Job location; GDELT's dataset lives in the US multi-region (BigQuery infers it).

    Raises
    ------
    BigQueryNotInstalled
        ``google-cloud-bigquery`` is missing (``pip install -e '.[bigquery]'``).
    BigQueryAuthError
        No credentials were found, or no project could be determined.
    """
    bigquery = _import_bigquery()
    from google.auth.exceptions import DefaultCredentialsError

    proj = resolve_project(project)
    try:
        client = bigquery.Client(project=proj, location=location)
    except DefaultCredentialsError as exc:
        raise BigQueryAuthError(f"No Google credentials found ({exc}). {_AUTH_HELP}") from None
    except OSError as exc:  # "Project was not passed and could not be determined ..."
        raise BigQueryAuthError(f"No billing project ({exc}). {_AUTH_HELP}") from None
    if not getattr(client, "project", None):
        raise BigQueryAuthError(f"No billing project could be determined. {_AUTH_HELP}")
    return client


def local_credentials() -> str | None:
    """Where Application Default Credentials would be found ON THIS MACHINE, or None.

    Looks only at ``GOOGLE_APPLICATION_CREDENTIALS`` and gcloud's
    ``application_default_credentials.json`` (no network call, unlike ``google.auth.default``,
    which also probes the metadata server of Google's own VMs). Used by notebooks to decide
    whether a BigQuery cell can run; the file's contents are never read.
    """
    env = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS", "").strip()
    if env:
        return env if Path(env).expanduser().is_file() else None
    if os.environ.get("CLOUDSDK_CONFIG"):
        cfg = Path(os.environ["CLOUDSDK_CONFIG"])
    elif os.name == "nt":
        cfg = Path(os.environ.get("APPDATA", Path.home())) / "gcloud"
    else:
        cfg = Path.home() / ".config" / "gcloud"
    f = cfg / "application_default_credentials.json"
    return str(f) if f.is_file() else None


def check_ready(project: str | None = None) -> str | None:
    """Why BigQuery cannot be used here right now, or None when it looks ready.

    Checks, without any network call: the optional extra is installed, local Application
    Default Credentials exist, and a billing project is known (argument,
    ``TOOLKIT_BQ_PROJECT`` or ``GOOGLE_CLOUD_PROJECT``). On Google's own VMs (credentials from
    the metadata server) call :func:`make_client` directly instead.

    Examples
    --------
    >>> reason = check_ready()
    >>> reason is None or isinstance(reason, str)
    True
    """
    try:
        _import_bigquery()
    except BigQueryNotInstalled as exc:
        return str(exc)
    if local_credentials() is None:
        return "no Google credentials on this machine. " + _AUTH_HELP
    if resolve_project(project) is None:
        return ("no billing project: pass project=... or set TOOLKIT_BQ_PROJECT (or "
                "GOOGLE_CLOUD_PROJECT)")
    return None


def _service_error(exc: Exception, what: str) -> BigQueryError:
    message = getattr(exc, "message", None) or str(exc)
    return BigQueryError(f"BigQuery {what} failed: {type(exc).__name__}: {message}")


def _is_google_error(exc: Exception) -> bool:
    try:
        from google.api_core.exceptions import GoogleAPIError
    except ImportError:  # pragma: no cover - installed with google-cloud-bigquery
        return False
    return isinstance(exc, GoogleAPIError)


def dry_run(client, sql: str, *, max_bytes_billed: int) -> int:
    """Bytes BigQuery would process for ``sql`` (a free dry run; query cache off).

    The dry run's job configuration carries ``maximum_bytes_billed`` too, like every job the
    toolkit creates. Should BigQuery answer a dry run above that ceiling with its "exceeded
    limit for bytes billed: L. N or higher required" error, ``N`` (its own figure) is returned,
    so the caller still sees the size and refuses to run.
    """
    bigquery = _import_bigquery()
    cfg = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False,
                                  maximum_bytes_billed=int(max_bytes_billed),
                                  labels=dict(JOB_LABELS))
    try:
        job = client.query(sql, job_config=cfg)
    except Exception as exc:
        if _is_google_error(exc):
            required = _LIMIT_RE.search(str(getattr(exc, "message", None) or exc))
            if required:
                return int(required.group(1))
            raise _service_error(exc, "dry run") from exc
        raise
    return int(job.total_bytes_processed or 0)


_LIMIT_RE = re.compile(r"limit for bytes billed.*?(\d+) or higher required", re.I | re.S)


def _check_project_client(project, client):
    if client is None:
        client = make_client(project)
    return client, str(getattr(client, "project", None) or resolve_project(project) or "?")


def estimate_bigquery(start, end, *, project: str | None = None, actors=None,
                      date_basis: str = "sqldate", pad_days: int = A.DEFAULT_PAD_DAYS,
                      max_gb: float | None = None, table: str = TABLE,
                      compare_select_star: bool = True, client=None) -> Estimate:
    """Dry-run the cube and totals queries for [start, end]: bytes and estimated cost.

    Dry runs are free and need credentials and a project (see :func:`make_client`).

    Parameters
    ----------
    start, end, actors, date_basis, pad_days, table
        As :func:`bigquery_sql`.
    project : str, optional
        Billing project (argument > ``TOOLKIT_BQ_PROJECT`` > ``GOOGLE_CLOUD_PROJECT`` > ADC).
    max_gb : float, optional
        The ceiling the estimate is compared with (GB = 10**9 bytes; default 50).
    compare_select_star : bool
        Also dry-run ``SELECT *`` over the same partitions, to show column pruning's saving.
    client : google.cloud.bigquery.Client, optional
        An existing client (default: one from Application Default Credentials).

    Returns
    -------
    Estimate
        ``.bytes_processed``, ``.usd`` (estimated US$), ``.within_limit``, ``.summary()``.
    """
    cube_q = bigquery_sql(start, end, actors=actors, date_basis=date_basis, pad_days=pad_days,
                          table=table)
    tot_q = bigquery_totals_sql(start, end, date_basis=date_basis, pad_days=pad_days,
                                table=table)
    limit = max_bytes_from_gb(max_gb)
    price = usd_per_tib()
    s, e = _check_range(start, end)
    client, proj = _check_project_client(project, client)
    queries = []
    for label, sql in (("cube", cube_q), ("totals", tot_q)):
        n = dry_run(client, sql, max_bytes_billed=limit)
        queries.append(QueryEstimate(label, sql, n, estimate_cost_usd(n, price_per_tib=price)))
    comp = None
    if compare_select_star:
        star = select_star_sql(start, end, date_basis=date_basis, pad_days=pad_days, table=table)
        n = dry_run(client, star, max_bytes_billed=limit)
        comp = QueryEstimate("SELECT *", star, n, estimate_cost_usd(n, price_per_tib=price))
    return Estimate(f"{s:%Y-%m-%d}", f"{e:%Y-%m-%d}", proj, queries, limit, price, comp)


# --------------------------------------------------------------------------- fetch
@dataclass
class FetchReport:
    """What :func:`fetch_bigquery` did: rows, bytes, estimated cost, jobs, cache months."""

    start: str
    end: str
    actors: tuple[str, ...]
    date_basis: str
    project: str
    cube_rows: int
    totals_rows: int
    estimated_bytes: int
    bytes_billed: int
    estimated_usd: float
    job_ids: list[str]
    months: list[str] = field(default_factory=list)
    already_cached: bool = False

    def summary(self) -> str:
        if self.already_cached:
            return (f"BigQuery {self.start} to {self.end} ({','.join(self.actors)}, date basis "
                    f"{self.date_basis}) is already cached: nothing was run or billed "
                    "(refresh=True / --refresh runs the queries again)")
        return (f"BigQuery {self.start} to {self.end} ({','.join(self.actors)}, "
                f"date basis {self.date_basis}): {self.cube_rows:,} cube rows, "
                f"{self.totals_rows:,} days of totals; estimated {fmt_bytes(self.estimated_bytes)}"
                f", billed {fmt_bytes(self.bytes_billed)} (~US$ {self.estimated_usd:,.4f} at "
                f"list price); jobs {', '.join(self.job_ids)}; cached months "
                f"{', '.join(self.months) or 'none'}")


def _run(client, sql: str, *, max_bytes_billed: int) -> tuple[pd.DataFrame, object]:
    bigquery = _import_bigquery()
    cfg = bigquery.QueryJobConfig(maximum_bytes_billed=int(max_bytes_billed),
                                  labels=dict(JOB_LABELS))
    try:
        job = client.query(sql, job_config=cfg)
        rows = job.result()
        table = rows.to_arrow(create_bqstorage_client=False)
    except Exception as exc:
        if _is_google_error(exc):
            raise _service_error(exc, "query") from exc
        raise
    return table.to_pandas(), job


def _billed(job, ceiling: int) -> int:
    """Bytes a finished job billed; its ceiling when BigQuery did not say (worst case)."""
    billed = getattr(job, "total_bytes_billed", None)
    if billed is None:
        return 0 if getattr(job, "cache_hit", False) else ceiling
    return int(billed)


def _run_within(client, est: Estimate) -> list[tuple[pd.DataFrame, object, int]]:
    """Run the estimate's queries in order under ONE ceiling for the whole fetch.

    Each job's ``maximum_bytes_billed`` is what remains of ``est.max_bytes_billed`` after the
    bytes already billed by the earlier jobs and the estimates (at least 10 MiB each) reserved
    for the later ones, so all jobs together never bill more than the ceiling. A job whose
    share fell below its own estimate (an earlier job billed more than estimated) is not
    started: :class:`CostLimitExceeded`, nothing is cached. Returns (rows, job, ceiling)
    per query.
    """
    reserve = [max(q.bytes_processed, MIN_BILLED_BYTES) for q in est.queries]
    billed, out = 0, []
    for i, q in enumerate(est.queries):
        ceiling = est.max_bytes_billed - billed - sum(reserve[i + 1:])
        if ceiling < reserve[i]:
            raise CostLimitExceeded(
                f"Stopped before the {q.label} query: the earlier jobs billed "
                f"{fmt_bytes(billed)}, leaving {fmt_bytes(max(ceiling, 0))} of the fetch's "
                f"ceiling of {fmt_bytes(est.max_bytes_billed)} for a query estimated at "
                f"{fmt_bytes(reserve[i])}; nothing was cached. Raise the ceiling (--max-gb / "
                "max_gb) or narrow the date range", estimated_bytes=est.bytes_billed_estimate,
                max_bytes_billed=est.max_bytes_billed)
        df, job = _run(client, q.sql, max_bytes_billed=ceiling)
        billed += _billed(job, ceiling)
        out.append((df, job, ceiling))
    return out


def fetch_bigquery(start, end, *, project: str | None = None, actors=None,
                   date_basis: str = "sqldate", max_gb: float | None = None,
                   pad_days: int = A.DEFAULT_PAD_DAYS, table: str = TABLE, data_dir=None,
                   client=None, verbose: bool = True, refresh: bool = False) -> FetchReport:
    """Build the dyad cube and daily totals for [start, end] on BigQuery and cache them.

    Steps: dry-run both queries; refuse (:class:`CostLimitExceeded`) when the SUM of their
    estimates (at least 10 MiB each, BigQuery's minimum) exceeds the ceiling; run them one
    after the other, each with ``maximum_bytes_billed`` = what remains of the ONE ceiling for
    the fetch (the cube query: the ceiling minus the totals query's estimate; the totals
    query: the ceiling minus what the cube job billed), so BigQuery itself fails, unbilled,
    a job that would take the fetch over; replace the cached days [start, end] of the
    ``bigquery`` store; record provenance (query text, job ids, bytes, time) in
    ``<data_dir>/cubes/bigquery/fetches.json``. Afterwards ``toolkit.load_cube(start, end,
    source="bigquery")`` returns the cube.

    Parameters
    ----------
    start, end : str or date
        Inclusive day range.
    project : str, optional
        Billing project (argument > ``TOOLKIT_BQ_PROJECT`` > ``GOOGLE_CLOUD_PROJECT`` > ADC).
    actors : iterable of str, optional
        CAMEO actor country codes (default RUS, KOR, PRK).
    date_basis : {"sqldate", "dateadded"}
        One per cache directory (a cache never mixes bases).
    max_gb : float, optional
        Ceiling on the bytes billed by the whole fetch (both jobs together), in GB (10**9
        bytes); default 50 GB (about US$ 0.28 at list price). Raise it explicitly for long
        ranges.
    pad_days, table
        As :func:`bigquery_sql` (``table`` must be ``project.dataset.table``).
    data_dir : path, optional
        Cache directory (default ``TOOLKIT_DATA_DIR`` or ``data/cache``).
    client : google.cloud.bigquery.Client, optional
        An existing client (default: one from Application Default Credentials).
    verbose : bool
        Print the dry run's report (bytes, estimated cost, ceiling) before running.
    refresh : bool
        Run again even when the cache already holds [start, end] for these actors. By default a
        rerun (e.g. of a notebook cell) sends nothing and bills nothing.

    Returns
    -------
    FetchReport

    Raises
    ------
    ValueError
        Bad dates, actors, date basis, table or ceiling (before any request).
    CostLimitExceeded
        The estimate is above the ceiling; nothing was run (or, if the cube job billed more
        than estimated, the totals query was not started; nothing was cached).
    BigQueryNotInstalled, BigQueryAuthError, BigQueryError
        Missing extra, missing credentials/project, or BigQuery refusing a job.

    Examples
    --------
    >>> report = fetch_bigquery("2024-01-01", "2024-03-31", project="my-project")  # doctest: +SKIP
    >>> toolkit.load_cube("2024-01-01", "2024-03-31", source="bigquery")  # doctest: +SKIP
    """
    acts = validate_actors(actors)
    s, e = _check_range(start, end)
    max_bytes_from_gb(max_gb)
    check_table(table)
    _check_cache_basis(date_basis, data_dir)
    if not refresh and _cached(s, e, acts, data_dir):
        report = FetchReport(f"{s:%Y-%m-%d}", f"{e:%Y-%m-%d}", acts, date_basis, "", 0, 0, 0,
                             0, 0.0, [], [], already_cached=True)
        if verbose:
            print(report.summary(), flush=True)
        return report
    if client is None:
        client = make_client(project)
    est = estimate_bigquery(s, e, project=project, actors=acts, date_basis=date_basis,
                            pad_days=pad_days, max_gb=max_gb, table=table,
                            compare_select_star=False, client=client)
    log.info("%s", est.summary())
    if verbose:
        print(est.summary(), flush=True)
    if not est.within_limit:
        need = max(1, math.ceil(est.bytes_billed_estimate / GB * 1.1))
        raise CostLimitExceeded(
            f"Refusing to run: the queries for {est.start}..{est.end} would process "
            f"{fmt_bytes(est.bytes_processed)} (~US$ {est.usd:,.2f} at US$ {est.usd_per_tib:g}/TiB)"
            f", above the ceiling of {fmt_bytes(est.max_bytes_billed)}. Narrow the date range, "
            f"or raise the ceiling explicitly: --max-gb {need} (max_gb={need})",
            estimated_bytes=est.bytes_processed, max_bytes_billed=est.max_bytes_billed)
    (cube_raw, cube_job, cube_cap), (tot_raw, tot_job, tot_cap) = _run_within(client, est)
    cube = S.coerce(cube_raw, S.CUBE) if len(cube_raw) else S.CUBE.empty()
    totals = S.coerce(tot_raw, S.DAILY_TOTALS) if len(tot_raw) else S.DAILY_TOTALS.empty()
    jobs = [str(getattr(j, "job_id", "") or "") for j in (cube_job, tot_job)]
    billed = sum(int(getattr(j, "total_bytes_billed", 0) or 0) for j in (cube_job, tot_job))
    record = {
        "start": f"{s:%Y-%m-%d}", "end": f"{e:%Y-%m-%d}", "actors": list(acts),
        "date_basis": date_basis, "pad_days": int(pad_days), "table": table,
        "project": est.project, "fetched_at": _dt.datetime.now(_dt.UTC).isoformat(),
        "max_bytes_billed": est.max_bytes_billed, "usd_per_tib": est.usd_per_tib,
        "queries": [
            {"kind": q.label, "sql": q.sql, "estimated_bytes": q.bytes_processed,
             "job_id": str(getattr(j, "job_id", "") or ""),
             "location": str(getattr(j, "location", "") or ""),
             "bytes_processed": int(getattr(j, "total_bytes_processed", 0) or 0),
             "bytes_billed": int(getattr(j, "total_bytes_billed", 0) or 0),
             "maximum_bytes_billed": cap,
             "cache_hit": bool(getattr(j, "cache_hit", False)),
             "rows": n}
            for q, j, n, cap in zip(est.queries, (cube_job, tot_job), (len(cube), len(totals)),
                                    (cube_cap, tot_cap), strict=True)],
    }
    months = _write_cache(cube, totals, s, e, record, data_dir)
    report = FetchReport(f"{s:%Y-%m-%d}", f"{e:%Y-%m-%d}", acts, date_basis, est.project,
                         len(cube), len(totals), est.bytes_processed, billed, est.usd, jobs,
                         months)
    log.info("%s", report.summary())
    return report


def as_dict(obj) -> dict:
    """A report or estimate as a plain dict (for JSON)."""
    return asdict(obj)


__all__ = [
    "TABLE", "FIRST_DAY", "USD_PER_TIB", "DEFAULT_MAX_GB", "MIN_BILLED_BYTES", "STORE",
    "BigQueryError", "BigQueryNotInstalled", "BigQueryAuthError", "CostLimitExceeded",
    "bigquery_sql", "bigquery_totals_sql", "check_table", "select_star_sql", "usd_per_tib",
    "estimate_cost_usd", "max_bytes_from_gb", "fmt_bytes", "QueryEstimate", "Estimate",
    "resolve_project", "make_client", "local_credentials", "check_ready", "dry_run",
    "estimate_bigquery", "FetchReport", "fetch_bigquery", "fetches", "load", "provenance",
    "as_dict",
]
