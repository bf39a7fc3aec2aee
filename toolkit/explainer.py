"""From a value on a chart to what was said: the events (and articles) behind one index value.

:func:`explain` takes an index frame (or a cube), a dyad, an index and a day or period, and
returns the GDELT events whose sums make that value (:func:`toolkit.load_events`), most
reported first, each with its contribution to the value; plus, where the DOC cache already
holds them, the articles of the dyad's DOC query for the same window. Nothing is fetched:
the events come from the same source as the frame, the articles only from the cache.

Which events make which index (see :mod:`toolkit.indices`):

========================= ================================== ==================================
index                     events                             contribution of one event
========================= ================================== ==================================
``volume``                all the dyad's events              1e6 / Σ total_events
``threat_rate``           root 13 (Threaten)                 1e6 / Σ total_events
``verbal_conflict_share`` QuadClass 3 (verbal conflict)      1 / Σ events of the dyad
``hostility``             QuadClass 1 and 3 (verbal)         −goldstein·articles / Σ articles
``tone``                  all the dyad's events              avg_tone·articles / Σ articles
========================= ================================== ==================================

The contributions add up to the value (``share`` = contribution / value adds up to 1).
``rhetoric_intensity`` is a z-score composite, not a sum of events: explain one of its
components instead.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import indices as I
from .event_rows import parse_dyads

#: index -> (root codes, quad classes) of the events making it (None: all).
SELECTION: dict[str, tuple[list[str] | None, list[int] | None]] = {
    "volume": (None, None),
    "threat_rate": (["13"], None),
    "verbal_conflict_share": (None, [3]),
    "hostility": (None, [1, 3]),
    "tone": (None, None),
}
#: DOC registry query of each (undirected) dyad.
DOC_QUERIES = {frozenset(("RUS", "KOR")): "rus-kor", frozenset(("RUS", "PRK")): "rus-prk",
               frozenset(("KOR", "PRK")): "kor-prk"}


@dataclass
class Explanation:
    """What :func:`explain` returns.

    Attributes
    ----------
    dyad, index : str
    start, end : Timestamp
        The period explained (inclusive days).
    value : float
        The index value of the period, recomputed from the cube (unsmoothed).
    events : DataFrame
        :func:`toolkit.load_events` columns + ``contribution`` (in the index's unit) and
        ``share`` (of the value; the shares add up to 1), most reported first.
    doc_articles : DataFrame or None
        Articles of the dyad's DOC query in the period, from the DOC cache (None when the
        cache does not hold that query and window: nothing is fetched).
    mentions : DataFrame or None
        The Mentions of these events, when a mentions frame was given.
    synthetic : bool
        True on the demo source (events are SYNTHETIC; their URLs are placeholders).
    n_events : int
        Events making the value (``events`` may hold fewer: ``limit``).
    """

    dyad: str
    index: str
    start: pd.Timestamp
    end: pd.Timestamp
    value: float
    unit: str
    source: str
    synthetic: bool
    events: pd.DataFrame
    doc_articles: pd.DataFrame | None = None
    doc_query: str | None = None
    mentions: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    n_events: int | None = None

    @property
    def period(self) -> str:
        return (f"{self.start:%Y-%m-%d}" if self.start == self.end
                else f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}")

    def summary(self) -> str:
        """One paragraph: the value, how many events make it, the source (and "SYNTHETIC")."""
        syn = " SYNTHETIC demo data: the events and URLs are invented." if self.synthetic else ""
        arts = ("" if self.doc_articles is None else
                f" DOC cache: {len(self.doc_articles)} articles of query "
                f"'{self.doc_query}' in the period.")
        if self.mentions is not None:
            arts += f" Mentions: {len(self.mentions)} stored articles mention these events."
        n = len(self.events) if self.n_events is None else self.n_events
        shown = f", {len(self.events)} most reported shown" if len(self.events) < n else ""
        return (f"{I.TITLES.get(self.index, self.index)} {self.dyad}, {self.period}: "
                f"{self.value:.4g} ({self.unit}) from {n} events{shown} "
                f"(source={self.source}).{syn}{arts}")

    def _repr_html_(self) -> str:
        return to_html(self)

    def __repr__(self) -> str:
        return self.summary()


def _period(when, freq: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    from .dates import parse_date

    if isinstance(when, tuple | list):
        if len(when) != 2:
            raise ValueError(f"when={when!r}; give a day or a (start, end) pair of days")
        a, b = parse_date(when[0], name="when"), parse_date(when[1], name="when")
        if b < a:
            raise ValueError(f"when={when!r} ends before it starts")
        return a, b
    d = parse_date(when, name="when")
    f = I._freq(freq)
    s = I.period_start(pd.DatetimeIndex([d]), f)[0]
    e = {"D": s, "W": s + pd.Timedelta(days=6),
         "M": s + pd.offsets.MonthEnd(0)}[f]
    return s, e


def _cached_doc_articles(query: str, s: pd.Timestamp, e: pd.Timestamp, data_dir
                         ) -> pd.DataFrame | None:
    """Articles of a registry query seen in [s, e] from the DOC cache only (None: not held)."""
    from . import config
    from .sources.doc import answers as D
    from .sources.doc import cache as DC
    from .sources.doc.registry import load_registry

    try:
        spec = load_registry().resolve(query, None)
    except (ValueError, KeyError):
        return None
    d = config.data_dir(data_dir) / "doc" / "artlist" / spec.key
    lo, hi = s, e + pd.Timedelta(days=1)
    parts = []
    for p in sorted(d.glob("*_*.json")) if d.is_dir() else []:
        try:
            ws, we = (pd.Timestamp(x) for x in p.stem.split("_"))
        except ValueError:
            continue
        if we < lo or ws >= hi:
            continue
        entry = DC.load(p)
        if entry is not None:
            parts.append(D.parse_articles(entry["response"], spec.label))
    if not parts:
        return None
    arts = pd.concat(parts, ignore_index=True)
    arts = arts[(arts["seendate"] >= lo) & (arts["seendate"] < hi)]
    return (arts.sort_values(["seendate", "url"]).drop_duplicates("url")
            .reset_index(drop=True))


def explain(frame: pd.DataFrame, dyad, index: str, when, *, freq: str | None = None,
            source: str | None = None, data_dir: str | os.PathLike | None = None,
            limit: int | None = None, mentions: pd.DataFrame | None = None) -> Explanation:
    """The events that make one index value, most reported first, with their share of it.

    Parameters
    ----------
    frame : DataFrame
        An index frame from :func:`toolkit.compute_indices` / :func:`toolkit.compute_index`
        (its ``attrs`` give the source and the frequency), or a cube from
        :func:`toolkit.load_cube`.
    dyad : str or tuple
        ``"RUS→KOR"`` or ``("RUS", "KOR")``.
    index : str
        ``volume``, ``threat_rate``, ``verbal_conflict_share``, ``hostility`` or ``tone``.
    when : str, date or (start, end)
        A day; with a weekly or monthly frame, the week or month that contains it (clipped
        to the frame's ``attrs["start"]``..``attrs["end"]``, as the frame's value is).
    freq : {"D", "W", "M"}, optional
        Override the frame's frequency (default ``frame.attrs["freq"]``, else daily).
    source : str, optional
        Override the frame's source (default ``frame.attrs["source"]``).
    data_dir : path, optional
        Cache directory (local rows, BigQuery events cache, DOC cache).
    limit : int, optional
        Keep only the ``limit`` most reported events (contributions are computed over all).
    mentions : DataFrame, optional
        A Mentions table (one row per article mentioning an event, with ``GLOBALEVENTID``,
        e.g. from :func:`toolkit.sources.events.mentions.read_mentions`); the rows of these
        events are attached as ``.mentions``. Default: on the ``local`` source, the stored
        Mentions of the events listed (fetched with ``toolkit fetch events --mentions``);
        None when none were fetched.

    Returns
    -------
    Explanation
        ``.events`` (with ``contribution`` and ``share``), ``.value``, ``.doc_articles``,
        ``.summary()``; renders as an HTML table with clickable links in a notebook.

    Raises
    ------
    ValueError
        Unknown index (or the composite), bad dyad or day, a frame without a source.

    Examples
    --------
    >>> import toolkit
    >>> c = toolkit.load_cube("2026-02-01", "2026-03-31", source="demo")
    >>> t = toolkit.load_daily_totals("2026-02-01", "2026-03-31", source="demo")
    >>> idx = toolkit.compute_indices(c, t, ["threat_rate"], dyads=["RUS→KOR"])
    >>> ex = explain(idx, "RUS→KOR", "threat_rate", "2026-02-21")
    >>> bool(abs(ex.events["share"].sum() - 1) < 1e-9), ex.synthetic
    (True, True)
    """
    from . import cube as K
    from .event_rows import EventsNotCached, load_events

    if index == "rhetoric_intensity":
        raise ValueError("rhetoric_intensity is a composite of z-scores, not a sum of events; "
                         "explain one of its components: " + ", ".join(I.DEFAULT_COMPONENTS))
    if index not in SELECTION:
        raise ValueError(f"Unknown index {index!r}; explain one of {', '.join(SELECTION)}")
    pairs = parse_dyads([dyad] if isinstance(dyad, str) else [tuple(dyad)])
    if len(pairs) != 1:
        raise ValueError(f"explain takes one dyad, got {dyad!r}")
    src, tgt = pairs[0]
    label = f"{src}→{tgt}"
    if not isinstance(frame, pd.DataFrame):
        raise ValueError("frame must be an index frame (toolkit.compute_indices) or a cube "
                         "(toolkit.load_cube)")
    source = source or frame.attrs.get("source")
    if not source:
        raise ValueError("The frame does not say its source (attrs['source']); pass "
                         "source='demo', 'local' or 'bigquery'")
    f = I._freq(freq or frame.attrs.get("freq") or "D")
    s, e = _period(when, f)
    # a frame's first and last periods may be partial: explain the days its value covers
    lo, hi = frame.attrs.get("start"), frame.attrs.get("end")
    if lo and hi and not isinstance(when, tuple | list):
        s, e = max(s, pd.Timestamp(lo)), min(e, pd.Timestamp(hi))
        if s > e:
            raise ValueError(f"when={when!r} lies outside the frame ({lo}..{hi})")

    kw = {"source": source, "data_dir": data_dir}
    cube = K.load_cube(s, e, **kw)
    totals = K.load_daily_totals(s, e, **kw)
    cell = cube[(cube["source"] == src) & (cube["target"] == tgt)]
    roots, quads = SELECTION[index]
    notes = []
    try:
        ev = load_events(s, e, dyads=[(src, tgt)], root_codes=roots, **kw)
    except EventsNotCached as exc:  # BigQuery: querying costs money, so only on request
        ev = finish_empty()
        notes.append(str(exc))
    if quads is not None:
        ev = ev[ev["quad_class"].isin(quads)].reset_index(drop=True)
    sel = cell
    if roots is not None:
        sel = sel[sel["root_code"].isin(roots)]
    if quads is not None:
        sel = sel[sel["quad_class"].isin(quads)]
    # a frame computed with speakers= counts only those speakers' events in its numerators
    # (denominators: every speaker), so the events that make its value are theirs alone
    codes = frame.attrs.get("speaker_codes")
    num = sel
    if codes is not None:
        num = sel[sel["source_type"].isin(codes)]
        ev = ev[ev["source_type"].isin(codes)].reset_index(drop=True)
        notes.append(f"only the events of {frame.attrs.get('speakers') or 'the chosen speakers'}"
                     " count in the value, as in the frame; its denominator counts every "
                     "speaker")
    n_total = float(totals["total_events"].sum())
    if index in ("volume", "threat_rate"):
        den = n_total
        contrib = np.full(len(ev), 1e6 / den) if den > 0 else np.full(len(ev), np.nan)
        value = 1e6 * num["events"].sum() / den if den > 0 else np.nan
    elif index == "verbal_conflict_share":
        den = float(cell["events"].sum())
        contrib = np.full(len(ev), 1.0 / den) if den > 0 else np.full(len(ev), np.nan)
        value = num["events"].sum() / den if den > 0 else np.nan
    elif index == "hostility":
        den = float(sel["articles"].sum())
        contrib = (-ev["goldstein"] * ev["num_articles"] / den).to_numpy() if den > 0 \
            else np.full(len(ev), np.nan)
        value = -num["goldstein_x_articles"].sum() / den if den > 0 else np.nan
    else:  # tone
        den = float(sel["articles"].sum())
        contrib = (ev["avg_tone"] * ev["num_articles"] / den).to_numpy() if den > 0 \
            else np.full(len(ev), np.nan)
        value = num["tone_x_articles"].sum() / den if den > 0 else np.nan
    ev = ev.assign(contribution=contrib,
                   share=contrib / value if value and np.isfinite(value) else np.nan)
    if frame.attrs.get("rolling"):
        notes.append(f"the frame is smoothed (rolling {frame.attrs['rolling']}); this is the "
                     "unsmoothed value of the period")
    n_events = len(ev)
    if limit is not None:
        ev = ev.head(int(limit))
    synthetic = bool(cube.attrs.get("synthetic"))
    query = DOC_QUERIES.get(frozenset((src, tgt)))
    arts = None if synthetic or query is None else _cached_doc_articles(query, s, e, data_dir)
    if arts is None and not synthetic and query is not None:
        notes.append(f"the DOC cache holds no '{query}' articles for the period "
                     f"(fetch them with toolkit.doc_articles('{query}', '{s:%Y-%m-%d}', "
                     f"'{e:%Y-%m-%d}'))")
    if synthetic:
        notes.append("SYNTHETIC demo data: the events, names and URLs are invented; no DOC "
                     "articles are shown")
    ment = None
    if mentions is None and str(cube.attrs.get("source")) == "local" and len(ev):
        # the stored Mentions (toolkit fetch events --mentions), if any were fetched
        from .sources.events.mentions import read_mentions

        mentions = read_mentions(event_ids=ev["GLOBALEVENTID"].tolist(), data_dir=data_dir)
        if not len(mentions) and not any(mentions.attrs.get("coverage", {}).values()):
            mentions = None
    if isinstance(mentions, pd.DataFrame) and "GLOBALEVENTID" in mentions.columns:
        ment = mentions[mentions["GLOBALEVENTID"].isin(ev["GLOBALEVENTID"])].reset_index(
            drop=True)
    ev.attrs = dict(cube.attrs)
    return Explanation(label, index, s, e, float(value), I.UNITS[index], str(cube.attrs.get(
        "source", source)), synthetic, ev, arts, query if arts is not None else None, ment,
        notes, n_events)


def finish_empty() -> pd.DataFrame:
    """An empty events frame with the :func:`toolkit.load_events` columns and dtypes."""
    from .event_rows import COLUMNS, finish

    return finish(pd.DataFrame({c: [] for c in COLUMNS if c != "event_description"}))


def _link(url: str, text: str) -> str:
    u = html.escape(str(url), quote=True)
    t = html.escape(str(text))
    if str(url).startswith(("http://", "https://")):
        return f'<a href="{u}" target="_blank" rel="noopener noreferrer">{t}</a>'
    return f'<span title="{u}">{t}</span>'


def _first(*vals) -> str:
    """The first value that is a non-empty string (pandas NA and None skipped)."""
    for v in vals:
        if isinstance(v, str) and v:
            return v
    return ""


def _when(v) -> str:
    return f"{pd.Timestamp(v):%Y-%m-%d %H:%M} — " if v is not None and pd.notna(v) else ""


def to_html(ex: Explanation, max_rows: int = 25) -> str:
    """A readable HTML rendering: the summary, the events table (links clickable) and the DOC
    articles; says SYNTHETIC on the demo."""
    rows = []
    for r in ex.events.head(max_rows).itertuples(index=False):
        url = r.url if isinstance(r.url, str) else ""
        where = url.split("/")[2] if url.startswith("http") else "synthetic placeholder" \
            if url.startswith("synthetic://") else ""
        rows.append(
            "<tr>" + "".join(f"<td>{x}</td>" for x in (
                f"{pd.Timestamp(r.date):%Y-%m-%d}",
                html.escape(_first(r.source_name, r.source_actor, r.source)),
                html.escape(f"{_first(r.event_code)} {r.event_description}"),
                html.escape(_first(r.target_name, r.target_actor, r.target)),
                f"{r.num_articles}", f"{r.goldstein:+.1f}" if pd.notna(r.goldstein) else "",
                f"{r.avg_tone:+.2f}" if pd.notna(r.avg_tone) else "",
                f"{100 * r.share:.1f} %" if np.isfinite(r.share) else "",
                _link(url, where or "(no URL)"))) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("day", "who", "did (CAMEO)", "to whom",
                                             "articles", "Goldstein", "tone",
                                             "share of value", "first article (SOURCEURL)"))
    syn = ('<p style="color:#b00;font-weight:bold">SYNTHETIC demo data: these events, names '
           "and URLs are invented by the toolkit; they are not GDELT.</p>" if ex.synthetic
           else "")
    more = (f"<p>… {len(ex.events) - max_rows} more events in <code>.events</code></p>"
            if len(ex.events) > max_rows else
            f"<p>… {ex.n_events - len(ex.events)} less reported events not listed (raise "
            "<code>limit</code>)</p>" if ex.n_events and ex.n_events > len(ex.events) else "")
    out = [f"<div><p><b>{html.escape(ex.summary())}</b></p>{syn}",
           f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"]
    if ex.doc_articles is not None and len(ex.doc_articles):
        arts = "".join(
            f"<li>{a.seendate:%Y-%m-%d %H:%M} — {html.escape(a.domain)}: "
            f"{_link(a.url, a.title or a.url)}</li>"
            for a in ex.doc_articles.head(max_rows).itertuples(index=False))
        out.append(f"<p>DOC articles ('{html.escape(ex.doc_query or '')}'):</p><ul>{arts}</ul>")
    if ex.mentions is not None and len(ex.mentions):
        m = ex.mentions.sort_values("mention_time") if "mention_time" in ex.mentions else \
            ex.mentions
        items = "".join(
            f"<li>{_when(r.get('mention_time'))}{html.escape(_first(r.get('source_name')))}: "
            f"{_link(_first(r.get('url')), _first(r.get('url')) or '(no URL)')}"
            f" (event {r.get('GLOBALEVENTID')})</li>"
            for r in m.head(max_rows).to_dict("records"))
        out.append(f"<p>Every article that mentioned these events (GDELT Mentions, "
                   f"{len(ex.mentions)} stored):</p><ul>{items}</ul>")
    for n in ex.notes:
        out.append(f"<p><i>Note: {html.escape(n)}</i></p>")
    out.append("</div>")
    return "".join(out)
