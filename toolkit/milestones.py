"""The milestone registry: dated events that might move rhetoric (``data/milestones.csv``).

The registry lists 40 milestones 2017–2026 (Russia's invasion of Ukraine, South Korea's
sanctions and the "unfriendly" listing, the shell-supply reports, the Putin–Kim summits, the
2024 treaty and its entry into force, the DPRK troop deployment and its acknowledgement, PURL,
the 2026-02-20 consultations and the 2026-02-21 "asymmetric" warning, ...), each with a source
URL. Users add their own milestones in a CSV with the same columns; :func:`load_milestones`
validates every file and merges it with the registry.

Columns
-------
========== ========== =================================================================
column     required   meaning
========== ========== =================================================================
date       yes        Day of the event, ``YYYY-MM-DD``, UTC (an event late in the evening
                      in Seoul or Moscow may fall on the previous UTC day).
title      yes        What happened, one sentence.
category   yes        One of :data:`CATEGORIES` (fixed vocabulary).
actors     yes        ``;``-separated CAMEO country codes (RUS;KOR) or organisations
                      (:data:`ORGANISATIONS`, e.g. NATO).
source_url yes*       ``http(s)://`` page that reports the event (*required when
                      confidence is ``confirmed``; may be empty otherwise).
confidence yes        One of :data:`CONFIDENCE`.
id         no         Short unique name (``purl-consultations``); derived from date and
                      title when absent.
short      no         Chart label (≤ 32 characters); derived from the title when absent.
notes      no         Free text (date caveats, ...).
========== ========== =================================================================
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from .actors import CAMEO_COUNTRIES, actor_hint, fips_hint
from .config import REPO_ROOT

DEFAULT_PATH = REPO_ROOT / "data" / "milestones.csv"

#: Required columns, in file order.
COLUMNS = ("date", "title", "category", "actors", "source_url", "confidence")
#: Optional columns (filled in when a file lacks them).
OPTIONAL_COLUMNS = ("id", "short", "notes")
#: Columns of the frame :func:`load_milestones` returns.
OUTPUT_COLUMNS = ("date", "id", "short", "title", "category", "actors", "source_url",
                  "confidence", "notes", "origin")

#: The fixed category vocabulary: name -> meaning.
CATEGORIES: dict[str, str] = {
    "war": "Start or conduct of a war, including acknowledged participation in it.",
    "military": "Weapons tests, military exercises and other shows of force by one state.",
    "military_cooperation": "Arms transfers, troop deployments, defence treaties between states.",
    "sanctions": "Sanctions, export bans and hostile-state listings.",
    "diplomacy": "Summits, visits, calls, consultations and diplomatic gestures.",
    "policy_shift": "A government announcing or signalling a change of policy.",
    "statement": "A notable statement, warning or threat by an official.",
    "domestic": "Domestic political events (elections, impeachment, martial law).",
}

#: How sure the date and the event are.
CONFIDENCE: dict[str, str] = {
    "confirmed": "Event and date seen in a retrieved source.",
    "date_unconfirmed": "Event seen in a source, exact date not confirmed.",
    "unconfirmed": "Neither year nor date confirmed in a source; use with care.",
}

#: Non-state actors accepted in ``actors`` besides CAMEO country codes.
ORGANISATIONS: dict[str, str] = {
    "NATO": "North Atlantic Treaty Organization", "EU": "European Union",
    "UN": "United Nations", "G7": "Group of Seven", "IAEA": "International Atomic Energy Agency",
    "ASEAN": "Association of Southeast Asian Nations",
}

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
SHORT_MAX = 32


class MilestoneError(ValueError):
    """A milestone file has bad columns or rows; the message names file, line and problem."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _shorten(title: str) -> str:
    return title if len(title) <= SHORT_MAX else title[: SHORT_MAX - 1].rstrip() + "…"


def _check_row(row: dict[str, str]) -> list[str]:
    """Problems of one row (empty list when it is valid)."""
    problems = []
    date = row["date"].strip()
    if not _DATE_RE.match(date):
        problems.append(f"date {date!r} is not YYYY-MM-DD (e.g. 2022-02-24)")
    else:
        try:
            pd.Timestamp(date)
        except ValueError:
            problems.append(f"date {date!r} is not a calendar day")
    if not row["title"].strip():
        problems.append("title is empty")
    cat = row["category"].strip()
    if cat not in CATEGORIES:
        problems.append(f"category {cat!r} is not one of: {', '.join(CATEGORIES)}")
    conf = row["confidence"].strip()
    if conf not in CONFIDENCE:
        problems.append(f"confidence {conf!r} is not one of: {', '.join(CONFIDENCE)}")
    codes = [a.strip() for a in row["actors"].split(";") if a.strip()]
    if not codes:
        problems.append("actors is empty; give ';'-separated CAMEO codes such as RUS;KOR")
    for code in codes:
        if code not in CAMEO_COUNTRIES and code not in ORGANISATIONS:
            hint = f" ({actor_hint(code).rstrip('.')})" if actor_hint(code) else ""
            problems.append(
                f"actor {code!r} is not a CAMEO country code or one of "
                f"{', '.join(ORGANISATIONS)}{hint}; see toolkit.actors.CAMEO_COUNTRIES")
    url = row["source_url"].strip()
    if url and not re.match(r"^https?://\S+$", url):
        problems.append(f"source_url {url!r} is not an http(s):// URL")
    if not url and conf == "confirmed":
        problems.append("source_url is empty but confidence is 'confirmed'; give the page "
                        "that reports the event or set confidence to 'unconfirmed'")
    ident = row.get("id", "").strip()
    if ident and not _ID_RE.match(ident):
        problems.append(f"id {ident!r} must be lower-case letters, digits, '-' or '_'")
    if len(row.get("short", "").strip()) > SHORT_MAX:
        problems.append(f"short label is longer than {SHORT_MAX} characters")
    return problems


def _read_rows(text: str, where: str) -> list[tuple[int, dict[str, str]]]:
    """Parse CSV text into (line number, row) pairs, checking the header."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise MilestoneError(
            f"{where}: line 1: missing column(s) {', '.join(missing)}; a milestone file needs "
            f"{', '.join(COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)})")
    reader.fieldnames = header
    rows = []
    start = 2
    for row in reader:
        if None in row:  # more fields than the header
            raise MilestoneError(f"{where}: line {start}: {len(row[None])} more field(s) than "
                                 "the header; quote titles that contain commas")
        clean = {k: (v or "") for k, v in row.items()}
        if any(v.strip() for v in clean.values()):
            rows.append((start, clean))
        start = reader.line_num + 1
    return rows


def _frame_rows(df: pd.DataFrame, where: str) -> list[tuple[int, dict[str, str]]]:
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise MilestoneError(f"{where}: missing column(s) {', '.join(missing)}; a milestone "
                             f"table needs {', '.join(COLUMNS)}")
    out = []
    for i, rec in enumerate(df.to_dict("records")):
        row = {}
        for k, v in rec.items():
            if k == "date" and isinstance(v, pd.Timestamp):
                v = f"{v:%Y-%m-%d}"
            row[str(k)] = "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
        out.append((i + 2, row))  # as if the frame were a CSV with a header line
    return out


def _validate(rows: list[tuple[int, dict[str, str]]], where: str) -> pd.DataFrame:
    errors = [f"{where}: line {line}: {p}" for line, row in rows for p in _check_row(row)]
    if errors:
        shown = errors[:25]
        more = f"\n... and {len(errors) - 25} more" if len(errors) > 25 else ""
        raise MilestoneError(f"{len(errors)} problem(s) in milestone file {where}:\n"
                             + "\n".join(shown) + more)
    recs = []
    for line, row in rows:
        rec = {c: row.get(c, "").strip() for c in (*COLUMNS, *OPTIONAL_COLUMNS)}
        rec["actors"] = ";".join(a.strip() for a in rec["actors"].split(";") if a.strip())
        rec["id"] = rec["id"] or f"{rec['date']}-{_slug(rec['title'])[:40].strip('-')}"
        rec["short"] = rec["short"] or _shorten(rec["title"])
        rec["origin"] = where
        rec["_line"] = line
        recs.append(rec)
    return pd.DataFrame(recs, columns=[*OUTPUT_COLUMNS, "_line"])


def _read(source: str | os.PathLike | pd.DataFrame) -> pd.DataFrame:
    """Validated rows of one file or table, with their line numbers in ``_line``."""
    if isinstance(source, pd.DataFrame):
        where = "<DataFrame>"
        rows = _frame_rows(source, where)
    else:
        p = Path(source)
        where = str(p)
        if not p.is_file():
            raise MilestoneError(f"{where}: no such milestone file")
        rows = _read_rows(p.read_text(encoding="utf-8-sig"), where)
    df = _validate(rows, where)
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d").astype("datetime64[ns]")
    return df


def read_milestones(source: str | os.PathLike | pd.DataFrame) -> pd.DataFrame:
    """Read and validate ONE milestone file (or table) without merging or filtering.

    Parameters
    ----------
    source : path or DataFrame
        A CSV with the registry's columns, or a DataFrame with them.

    Returns
    -------
    DataFrame
        Columns :data:`OUTPUT_COLUMNS`, ``date`` as datetime64 (UTC day), in file order.

    Raises
    ------
    MilestoneError
        (a ``ValueError``) listing each problem as ``<file>: line <n>: <problem>``.
    """
    return _read(source).drop(columns="_line")


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def _check_vocabulary(values: list[str], vocabulary, singular: str, plural: str) -> None:
    """ValueError naming the values not in ``vocabulary`` and listing the valid ones."""
    bad = [v for v in values if v not in vocabulary]
    if bad:
        raise ValueError(f"Unknown {singular if len(bad) == 1 else plural} "
                         f"{', '.join(map(repr, bad))}; choose from {', '.join(vocabulary)}")


def filter_milestones(df: pd.DataFrame, *, categories: str | Iterable[str] | None = None,
                      actors: str | Iterable[str] | None = None, match: str = "any",
                      start=None, end=None,
                      confidence: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Keep the milestones that match every given filter.

    Parameters
    ----------
    df : DataFrame
        From :func:`load_milestones`.
    categories : str or list of str, optional
        Keep these categories (names from :data:`CATEGORIES`; a string may be comma-separated).
    actors : str or list of str, optional
        Keep milestones involving these actors (codes as in the ``actors`` column).
    match : {"any", "all"}
        With ``actors``: keep rows involving any of them, or all of them.
    start, end : date-like, optional
        Inclusive day range.
    confidence : str or list of str, optional
        Keep these confidence levels (:data:`CONFIDENCE`).

    Raises
    ------
    ValueError
        For an unknown category, confidence level or ``match``, listing the valid choices.

    Examples
    --------
    >>> ms = load_milestones()
    >>> filter_milestones(ms, categories="war", actors=["PRK"])["id"].tolist()
    ['troops-acknowledged-rus', 'troops-acknowledged-prk']
    """
    from .dates import parse_range

    out = df
    cats = _as_list(categories)
    if cats is not None:
        _check_vocabulary(cats, CATEGORIES, "milestone category", "milestone categories")
        out = out[out["category"].isin(cats)]
    confs = _as_list(confidence)
    if confs is not None:
        _check_vocabulary(confs, CONFIDENCE, "confidence", "confidence")
        out = out[out["confidence"].isin(confs)]
    acts = _as_list(actors)
    if acts is not None:
        if match not in ("any", "all"):
            raise ValueError(f"match={match!r}; choose 'any' or 'all'")
        want = {a.strip().upper() for a in acts}
        known = set(CAMEO_COUNTRIES) | set(ORGANISATIONS) | {
            a for v in out["actors"] for a in str(v).split(";")}
        unknown = sorted(want - known)
        if unknown:
            raise ValueError(
                f"Unknown milestone actor {unknown[0]!r}.{fips_hint(unknown[0])} Actors are "
                f"CAMEO country codes (e.g. RUS, KOR, PRK) or {', '.join(ORGANISATIONS)}")
        sets = out["actors"].str.split(";").map(set)
        keep = sets.map(lambda s: bool(want & s) if match == "any" else want <= s)
        out = out[keep.astype(bool)]
    s, e = parse_range(start, end)
    if s is not None:
        out = out[out["date"] >= s]
    if e is not None:
        out = out[out["date"] <= e]
    out = out.reset_index(drop=True)
    out.attrs = dict(df.attrs)
    return out


def load_milestones(path: str | os.PathLike | None = None, *,
                    extra: str | os.PathLike | pd.DataFrame
                    | Sequence[str | os.PathLike | pd.DataFrame] | None = None,
                    categories: str | Iterable[str] | None = None,
                    actors: str | Iterable[str] | None = None, match: str = "any",
                    start=None, end=None,
                    confidence: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Load the milestone registry, merge user files, validate everything, filter.

    Parameters
    ----------
    path : path, optional
        The base registry (default: the project's ``data/milestones.csv``).
    extra : path, DataFrame or list of them, optional
        Your own milestones in the same schema; merged with the registry. An ``id`` that is
        already used, or the same date and title twice, is an error.
    categories, actors, match, start, end, confidence
        Filters, as in :func:`filter_milestones`.

    Returns
    -------
    DataFrame
        Columns ``date`` (datetime64, UTC day), ``id``, ``short``, ``title``, ``category``,
        ``actors`` (``;``-separated), ``source_url``, ``confidence``, ``notes``, ``origin``
        (the file each row came from); sorted by date (stable).

    Raises
    ------
    MilestoneError
        (a ``ValueError``) naming the file, line and problem of every bad row.

    Examples
    --------
    >>> ms = load_milestones(start="2026-02-20", end="2026-02-22")
    >>> ms[["date", "id"]].astype(str).values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['2026-02-20', 'purl-consultations'], ['2026-02-21', 'purl-asymmetric-warning'],
     ['2026-02-22', 'embassy-banner']]
    """
    frames = [_read(Path(path) if path is not None else DEFAULT_PATH)]
    if extra is not None:
        extras = extra if isinstance(extra, list | tuple) else [extra]
        frames += [_read(x) for x in extras]
    df = pd.concat(frames, ignore_index=True)
    problems = []
    for col, what in (("id", "id"), (("date", "title"), "date and title")):
        dup = df[df.duplicated(list(col) if isinstance(col, tuple) else col, keep=False)]
        for key, g in dup.groupby(list(col) if isinstance(col, tuple) else col, sort=False):
            where = "; ".join(f"{o}: line {ln}" for o, ln in zip(g["origin"], g["_line"],
                                                                  strict=True))
            problems.append(f"duplicate {what} {key!r} at {where}")
    if problems:
        raise MilestoneError("Milestones clash across files:\n" + "\n".join(problems)
                             + "\nRename the id (or drop the duplicate row) in your file.")
    df = df.drop(columns="_line").sort_values("date", kind="stable").reset_index(drop=True)
    df.attrs = {"files": [str(f["origin"].iloc[0]) for f in frames if len(f)]}
    return filter_milestones(df, categories=categories, actors=actors, match=match,
                             start=start, end=end, confidence=confidence)


def lookup_milestones(ids: str | Iterable[str],
                      registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """The registry rows of milestone ids (in the order given), e.g. ``"invasion"``.

    Parameters
    ----------
    ids : str or list of str
        Registry ids (``toolkit.load_milestones()["id"]``; docs/milestones.md lists them).
    registry : DataFrame, optional
        Where to look them up (default: :func:`load_milestones`).

    Raises
    ------
    ValueError
        For an unknown id, listing every valid id.

    Examples
    --------
    >>> lookup_milestones(["invasion", "treaty-2024"])["date"].dt.strftime("%F").tolist()
    ['2022-02-24', '2024-06-19']
    """
    reg = load_milestones() if registry is None else registry
    wanted = [ids] if isinstance(ids, str) else [str(i) for i in ids]
    known = reg["id"].astype(str).tolist() if "id" in reg else []
    bad = [i for i in wanted if i not in known]
    if bad:
        raise ValueError(unknown_ids_message(bad, known))
    rows = reg.set_index(reg["id"].astype(str), drop=False).loc[wanted].reset_index(drop=True)
    rows.attrs = dict(reg.attrs)
    return rows


def unknown_ids_message(bad: Iterable[str], known: Iterable[str], lead: str = "") -> str:
    """One-line error for unknown milestone ids that lists the valid ids (``lead`` replaces
    the opening "Unknown milestone id ...")."""
    bad, known = list(bad), list(known)
    what = "id" if len(bad) == 1 else "ids"
    valid = ", ".join(known) if known else "(the registry is empty)"
    lead = lead or f"Unknown milestone {what} {', '.join(map(repr, bad))}"
    return (f"{lead}; valid ids: {valid} "
            "(see toolkit.load_milestones()[['id', 'date', 'title']])")
