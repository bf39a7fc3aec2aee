"""Small helpers the analysis notebooks share, so that the notebooks hold no library logic.

:func:`source_note`           a Markdown banner saying which data a notebook run shows
:func:`doc_source_for`        the DOC timeline source that matches a cube (never mix real and demo)
:func:`before_after`          mean of an index before vs after several milestones, one table
:func:`describe_event_study`  the event study's result in words fit for what the data is
:func:`choose_data`           which source and range a notebook analyses, said at its top
:func:`needs_around`          the days a notebook needs around its milestones
:func:`apply_coverage`        the missing-data policy on a daily index frame, printed
:func:`by_speakers`           an index for several speaker selections, one series each
:func:`speaker_rate_ratios`   count models of one dyad's events, all speakers vs officials
:func:`describe_speaker_rate_ratios`  that comparison in words fit for what the data is
:func:`event_study_text`      an event study and its wording, or why it cannot run
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..charts import SOURCE_LABELS
from ..indices import window_means


def _synthetic(*frames: pd.DataFrame) -> bool:
    return any(bool(f.attrs.get("synthetic")) for f in frames)


def source_note(*frames: pd.DataFrame) -> str:
    """Markdown saying which source each frame came from, with a warning for synthetic data.

    Parameters
    ----------
    *frames : DataFrame
        Frames whose ``attrs`` carry ``source`` / ``synthetic`` (cube, DOC timelines ...).

    Returns
    -------
    str
        Markdown; display it with ``IPython.display.Markdown``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame(); df.attrs.update(source="demo", synthetic=True)
    >>> "SYNTHETIC" in source_note(df)
    True
    """
    names = []
    for f in frames:
        src = str(f.attrs.get("source", "unknown"))
        label = SOURCE_LABELS.get(src, src)
        if src in ("local", "bigquery") and f.attrs.get("note"):
            label = f.attrs["note"]  # the product and date basis, from load_cube
        if src == "cache":
            label = "GDELT DOC 2.0 API (cached responses)"
        if label not in names:
            names.append(label)
    text = f"**Data shown:** {'; '.join(names)}."
    if _synthetic(*frames):
        text += (" ⚠️ **This run uses the SYNTHETIC demo data**, not GDELT: every number and "
                 "chart below is *illustrative* of the methods (effects were planted at known "
                 "dates, see the README) and says nothing about the real world. Fetch real data "
                 "and set `SOURCE` (or `TOOLKIT_SOURCE`) to `local` or `bigquery` to analyse it.")
    return text


def doc_source_for(cube: pd.DataFrame) -> str:
    """DOC timeline source matching a cube: ``"demo"`` for a synthetic cube, else ``"auto"``.

    With a real cube, ``"auto"`` uses cached DOC responses when they cover the request and
    falls back to the synthetic demo otherwise (the frame's ``attrs`` and chart captions then
    say so); with a synthetic cube, real DOC data is never mixed in.
    """
    return "demo" if _synthetic(cube) else "auto"


def before_after(frame: pd.DataFrame, milestones: pd.DataFrame, which: Iterable[str], *,
                 days: int = 30, by: str = "dyad") -> pd.DataFrame:
    """Mean of each series before vs after each chosen milestone, as one tidy table.

    Uses :func:`toolkit.indices.window_means` (plain means of the frame's values over ``days``
    days before the milestone and from the milestone day on). Descriptive only: no test.

    Parameters
    ----------
    frame : DataFrame
        Tidy index frame (``date``, ``value``, ``by`` and optionally ``index``; several indices
        are handled one by one).
    milestones : DataFrame
        From :func:`toolkit.load_milestones` (``id``, ``date``, ``short``).
    which : list of str
        Milestone ids (or ``YYYY-MM-DD`` dates).
    days : int
        Window length on each side (days).
    by : str
        Column naming the series (``dyad``, or ``query`` for DOC frames).

    Returns
    -------
    DataFrame
        ``milestone, date, index, <by>, before, after, change, n_before, n_after``.

    Raises
    ------
    ValueError
        An unknown milestone id, listing the known ones.
    """
    rows = []
    which = list(which)
    ids = milestones["id"].astype(str).tolist() if "id" in milestones else []
    indices = list(pd.unique(frame["index"])) if "index" in frame else [None]
    for w in which:
        if w in ids:
            m = milestones[milestones["id"] == w].iloc[0]
            date, label = pd.Timestamp(m["date"]), str(m.get("short", w))
        else:
            try:
                date, label = pd.Timestamp(w), str(w)
            except ValueError:
                raise ValueError(f"Unknown milestone {w!r}; known ids: {', '.join(ids)}"
                                 ) from None
        for idx in indices:
            part = frame if idx is None else frame[frame["index"] == idx]
            t = window_means(part, date, days, by=by)
            t.insert(0, "index", idx)
            t.insert(0, "date", date)
            t.insert(0, "milestone", label)
            rows.append(t)
    out = pd.concat(rows, ignore_index=True)
    out.attrs = dict(frame.attrs)
    return out


def _planted(date, dyad: str | None) -> str:
    """The demo's planted effect for ``dyad`` on ``date`` (its description), or ""."""
    from ..sources.demo.cube import PLANTED_EFFECTS

    day = f"{pd.Timestamp(date):%Y-%m-%d}"
    return "; ".join(f"{e['what']}, moving {e['index']}" for e in PLANTED_EFFECTS
                     if e["date"] == day and (dyad is None or dyad in e["dyads"]))


def describe_event_study(result, *, series: str, alpha: float = 0.05) -> str:
    """Phrase an event study's per-milestone results for what the data is.

    On synthetic demo data the text is marked *illustrative* and compares each result with
    the effect the demo generator planted (or did not plant) for that dyad and date. On real
    data each milestone gets its effect with the placebo p-value, and the text states what the
    test cannot establish (causation, coding error, multiple testing).

    Parameters
    ----------
    result : toolkit.analysis.EventStudyResult
        From :func:`toolkit.event_study`.
    series : str
        What the series is, for the text, e.g. ``"RUS→KOR threat rate"``.
    alpha : float
        Level below which a placebo p-value is called distinguishable from ordinary days.

    Returns
    -------
    str
        Markdown.
    """
    info = result.info
    e0, e1 = info["effect"]
    unit = info.get("unit", "")
    eff = result.effects
    n_cand = int(result.summary["n_candidates"].iloc[0])
    lines = []
    if info.get("synthetic"):
        lines.append(f"**Illustrative only — synthetic demo data.** In the demo {series}, the "
                     "event study finds:")
        for _, r in eff[eff["p_value"].notna()].iterrows():
            planted = _planted(r["date"], info.get("dyad"))
            head = (f"- *{r['milestone']}* ({r['date']:%Y-%m-%d}): {r['effect']:+.2f} {unit} "
                    f"on days {e0}..+{e1}, placebo p = {r['p_value']:.3g}")
            sig = r["p_value"] < alpha
            if planted and sig:
                tail = f"it recovers the planted effect ({planted})."
            elif planted:
                tail = (f"it does **not** single out the planted effect ({planted}) — a real "
                        "effect can be too small, too slow or too noisy for this test and "
                        "window, so on real data a miss is not evidence of no reaction.")
            elif sig:
                tail = ("it stands out although nothing was planted for this dyad on this date: "
                        "a false positive, or another planted effect inside the window.")
            else:
                tail = "it does not stand out; nothing was planted for this dyad on this date."
            lines.append(f"{head}; {tail}")
        lines.append("")  # a paragraph, not part of the last bullet
        lines.append("All of this is the demo generator's doing (README, *The demo data is "
                     "synthetic*): it shows what the method can and cannot find, and nothing "
                     "about what Russia or Korea actually said. Run the notebook on real data "
                     "(`SOURCE = \"local\"` or `\"bigquery\"`) to ask the real question.")
        return "\n".join(lines)
    lines.append(f"**{series}, real GDELT data.** Effect = mean abnormal intensity on days "
                 f"{e0}..+{e1} after each milestone ({unit}), tested against {n_cand} "
                 "ordinary (placebo) days:")
    than = {"greater": "larger than", "less": "smaller than"}.get(
        str(result.summary["alternative"].iloc[0]), "more extreme than")
    n_sig = 0
    tested = eff[eff["p_value"].notna()]
    for _, r in eff.iterrows():
        if pd.isna(r["p_value"]):
            why = r.get("note") or "not testable"
            lines.append(f"- *{r['milestone']}* ({r['date']:%Y-%m-%d}): {why} — no result "
                         "for it.")
        elif r["p_value"] < alpha:
            n_sig += 1
            lines.append(f"- *{r['milestone']}* ({r['date']:%Y-%m-%d}): {r['effect']:+.2f} "
                         f"{unit}, placebo p = {r['p_value']:.3g} — {than} on "
                         f"{100 * (1 - r['p_value']):.0f} % of ordinary days.")
        else:
            lines.append(f"- *{r['milestone']}* ({r['date']:%Y-%m-%d}): {r['effect']:+.2f} "
                         f"{unit}, placebo p = {r['p_value']:.3g} — not distinguishable from "
                         "ordinary days at this level (which is not evidence of no reaction: "
                         "it may fall outside the effect window or outside what GDELT codes).")
    lines.append("")
    chance = len(tested) * alpha
    if n_sig == 0:
        lines.append(f"**No evidence** of an effect at any of the {len(tested)} tested "
                     f"milestone(s) (α = {alpha}).")
    elif n_sig <= max(1, round(chance)) and len(tested) > 1:
        lines.append(f"**No evidence beyond chance:** {n_sig} of {len(tested)} milestones pass "
                     f"at α = {alpha}, about as many as chance alone gives ({chance:.2f}).")
    lines.append(f"With {len(tested)} milestone(s) tested at α = {alpha}, about "
                 f"{chance:.2f} would pass by chance alone; {n_sig} did. A "
                 "significant effect is an association in machine-coded news events around a "
                 "date, not proof that the milestone caused it: other news on the same days, "
                 "coding errors and changes in GDELT's source mix can produce it too.")
    lines.append("")
    lines.append("*Data:* " + describe_data_handling(info))
    return "\n".join(lines)


@dataclass
class DataChoice:
    """What a notebook analyses (from :func:`choose_data`).

    Attributes
    ----------
    source : str
        The concrete source to load: ``"demo"``, ``"local"`` or ``"bigquery"``.
    start, end : str
        The range to analyse (``YYYY-MM-DD``); inside the requested one.
    note : str
        Markdown for the top of the notebook: what the cache holds, what is analysed and why,
        the range's coverage (missing / partial days) and what to fetch when it fell back.
    coverage : DataFrame
        :func:`toolkit.coverage` of ``source`` over ``start..end``.
    """

    source: str
    start: str
    end: str
    note: str
    coverage: pd.DataFrame = field(repr=False)


def _fmt(d) -> str:
    return f"{pd.Timestamp(d):%Y-%m-%d}"


def needs_around(ids: Iterable[str], *, before: int, after: int,
                 milestones: pd.DataFrame | None = None) -> dict[str, tuple[str, str]]:
    """The days a notebook needs around milestones, for :func:`choose_data`.

    Parameters
    ----------
    ids : list of str
        Milestone ids of the registry (:func:`toolkit.load_milestones`).
    before, after : int
        Days needed before and after each milestone (e.g. the event study's baseline start
        and window end).
    milestones : DataFrame, optional
        The registry (default: :func:`toolkit.load_milestones`).

    Returns
    -------
    dict
        ``{"<id> (YYYY-MM-DD) -before..+after days": (first, last)}``.

    Examples
    --------
    >>> needs_around(["invasion"], before=60, after=30)
    {'invasion (2022-02-24) -60..+30 days': ('2021-12-26', '2022-03-26')}
    """
    if milestones is None:
        from ..milestones import load_milestones

        milestones = load_milestones()
    out = {}
    for i in ids:
        row = milestones[milestones["id"] == i]
        if row.empty:
            raise ValueError(f"Unknown milestone id {i!r}; see toolkit.load_milestones()['id']")
        d = pd.Timestamp(row["date"].iloc[0])
        out[f"{i} ({d:%Y-%m-%d}) -{before}..+{after} days"] = (
            _fmt(d - pd.Timedelta(days=before)), _fmt(d + pd.Timedelta(days=after)))
    return out


def _cache_label(data_dir) -> str:
    from .. import config
    from ..sources.events import cache as C
    from ..sources.events.index import PRODUCT_HELP

    product = C.read_state(config.data_dir(data_dir)).get("product")
    return PRODUCT_HELP.get(product, "GDELT event files").split(" (")[0]


def choose_data(start, end, source: str = "auto", *,
                needs: Mapping[str, tuple[str, str]] | None = None,
                data_dir=None) -> DataChoice:
    """Decide, and say, what a notebook analyses: which source, which range, what coverage.

    ``auto`` uses the local cache when it holds the whole range. When it holds only part of it,
    the notebook analyses that part if it contains every range in ``needs``; otherwise it falls
    back to the SYNTHETIC demo and the note says why and what to fetch. ``local`` analyses the
    part of the range the cache holds, and refuses when that lacks what the notebook needs.
    ``demo`` and ``bigquery`` are used as they are.

    Parameters
    ----------
    start, end : str
        The range the notebook asks for (its parameters).
    source : {"auto", "demo", "local", "bigquery"}
        The notebook's ``SOURCE``.
    needs : dict, optional
        ``{what: (first, last)}``: days the analysis cannot do without (see
        :func:`needs_around`).
    data_dir : path, optional
        Cache directory (default: ``TOOLKIT_DATA_DIR`` or ``data/cache``).

    Returns
    -------
    DataChoice

    Raises
    ------
    ValueError
        ``source="local"`` when the cache holds nothing of the range, or not what
        ``needs`` names (the message says what it holds and what to fetch).

    Examples
    --------
    >>> c = choose_data("2024-06-01", "2024-06-30", "demo")
    >>> c.source, c.start, c.end
    ('demo', '2024-06-01', '2024-06-30')
    """
    from .. import store
    from ..cube import _check_source, local_fetch_command
    from ..daily_coverage import coverage, describe

    requested = _check_source(source)
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    needs = dict(needs or {})
    chosen, lo, hi, lines = requested, s, e, []
    if requested in ("auto", "local"):
        held = store.coverage(store="local", data_dir=data_dir)
        held_txt = ", ".join(f"{r['start']}..{r['end']}" for r in held)
        command = local_fetch_command(s, e, data_dir=data_dir)  # the cache's product, if any
        fetch = (f"`{command}`" if held else
                 f"`{command}` (add `--product v1` for GDELT 1.0 daily files)")
        best = None
        for r in held:
            a, b = max(s, pd.Timestamp(r["start"])), min(e, pd.Timestamp(r["end"]))
            if a <= b and (best is None or (b - a) > (best[1] - best[0])):
                best = (a, b)
        # a need is asked for only inside the requested range
        lacking = [k for k, (f, t) in needs.items()
                   if best is None or max(pd.Timestamp(f), s) < best[0]
                   or min(pd.Timestamp(t), e) > best[1]]
        if held:
            lines.append(f"**Local cache:** {_cache_label(data_dir)}, days {held_txt}.")
        if best is not None and not lacking:
            chosen, (lo, hi) = "local", best
            if (lo, hi) == (s, e):
                lines.append(f"It holds the whole range asked for: analysing {_fmt(s)}.."
                             f"{_fmt(e)} from it.")
            else:
                lines.append(f"The notebook asks for {_fmt(s)}..{_fmt(e)}; the cache holds "
                             f"only part of it, which contains everything this notebook needs"
                             f": **analysing {_fmt(lo)}..{_fmt(hi)}** (real GDELT data).")
        elif requested == "local":
            what = ("nothing of it" if best is None else
                    f"{_fmt(best[0])}..{_fmt(best[1])} of it, without "
                    + "; ".join(lacking))
            raise ValueError(f"SOURCE='local': the local cache holds {held_txt or 'no data'}, "
                             f"which for {_fmt(s)}..{_fmt(e)} is {what}. Fetch it: {command}")
        else:
            chosen = "demo"
            if not held:
                lines.append("**No local GDELT cache yet**, so this run uses the **SYNTHETIC "
                              f"demo data**. To analyse real GDELT data, fetch it: {fetch}.")
            else:
                why = ("holds no day of it" if best is None else
                       f"holds {_fmt(best[0])}..{_fmt(best[1])} of it, which lacks what this "
                       "notebook needs: " + "; ".join(f"{k} ({f}..{t})" for k, (f, t)
                                                       in needs.items() if k in lacking))
                lines.append(f"The notebook asks for {_fmt(s)}..{_fmt(e)}; the cache {why}. "
                             "**Falling back to the SYNTHETIC demo data** for this run. To "
                             f"analyse real data, fetch the range: {fetch}.")
    cov = coverage(lo, hi, source=chosen, data_dir=data_dir)
    if chosen != "demo":
        lines.append(describe(cov))
    return DataChoice(source=chosen, start=_fmt(lo), end=_fmt(hi), note="\n\n".join(lines),
                      coverage=cov)


def apply_coverage(frame: pd.DataFrame, cov: pd.DataFrame) -> pd.DataFrame:
    """The missing-data policy on a daily index frame, printed for the reader.

    Missing days (no GDELT file) and partial days (fewer files than GDELT publishes) become
    NaN (:func:`toolkit.daily_coverage.exclude_incomplete`), so the tests leave them out or,
    where a method needs every day, interpolate them and count them as imputed. Prints one
    line: how many days, and which.

    Returns
    -------
    DataFrame
        The frame with those days' values set to NaN; ``attrs["coverage"]`` lists them.
    """
    from ..daily_coverage import exclude_incomplete

    out = exclude_incomplete(frame, cov)
    miss, part = out.attrs["coverage"]["missing"], out.attrs["coverage"]["partial"]
    if miss or part:
        shown = ", ".join((miss + part)[:5])
        print(f"Missing-data policy: {len(miss)} missing and {len(part)} partial day(s) of "
              f"{len(cov)} set to NaN (first: {shown}); the tests below leave them out "
              "(STL and Granger interpolate them, counted as imputed).")
    else:
        print(f"Missing-data policy: 0 missing and 0 partial days of {len(cov)}: nothing "
              "excluded or imputed.")
    return out


def describe_data_handling(info: Mapping) -> str:
    """One sentence on the days a result left out or imputed (from a result's ``info``).

    Examples
    --------
    >>> describe_data_handling({"n_days": 100, "n_missing": 3, "missing": "drop"})[:48]
    'Of 100 days, 3 had no value (missing or partial '
    """
    n, k, how = int(info.get("n_days", 0)), int(info.get("n_missing", 0)), info.get("missing")
    by = info.get("n_missing_by_series")
    if by and how in ("interpolate", "zero") and k:
        each = ", ".join(f"{name} {m}" for name, m in by.items())
        done = "imputed by linear interpolation" if how == "interpolate" else "set to 0"
        return (f"Of {n} days, some had no value (missing or partial GDELT days, or no event "
                f"where a share is undefined) and were **{done}** ({each} days): results "
                "rest partly on imputed days.")
    if not k:
        return f"All {n} days had a value; none was left out or imputed."
    what = ("missing or partial GDELT days, or no event where a share is undefined")
    if how == "interpolate":
        return (f"Of {n} days, {k} had no value ({what}) and were **imputed by linear "
                "interpolation**: results rest partly on imputed days.")
    if how == "zero":
        return f"Of {n} days, {k} had no value ({what}) and were **set to 0**."
    return f"Of {n} days, {k} had no value ({what}) and were left out; none was imputed."


def by_speakers(cube: pd.DataFrame, totals: pd.DataFrame, indices: str | Iterable[str], *,
                speakers: Iterable = (None, "official"), **kw) -> pd.DataFrame:
    """:func:`toolkit.compute_indices` once per speaker selection, as one tidy frame.

    Each row's ``dyad`` becomes ``"RUS→KOR · official"`` (so every chart draws one series per
    dyad and speaker selection; short, so legends stay narrow) and column ``speakers`` says
    whose events it counts (``"official speakers"``).

    Parameters
    ----------
    cube, totals : DataFrame
    indices : str or list of str
    speakers : iterable
        Speaker selections (None = all speakers; a group such as ``"official"``; a list of
        groups or type codes); see :mod:`toolkit.speakers`.
    **kw
        Passed to :func:`toolkit.compute_indices` (``dyads``, ``freq``, ``rolling`` ...).

    Examples
    --------
    >>> import toolkit
    >>> c = toolkit.load_cube("2026-02-01", "2026-02-28", source="demo")
    >>> t = toolkit.load_daily_totals("2026-02-01", "2026-02-28", source="demo")
    >>> sorted(by_speakers(c, t, "threat_rate", dyads=["RUS→KOR"])["dyad"].unique())
    ['RUS→KOR · all', 'RUS→KOR · official']
    """
    from ..indices import compute_indices

    frames = []
    for k, who in enumerate(speakers):
        f = compute_indices(cube, totals, indices, speakers=who, **kw)
        short = f.attrs["speakers"].removesuffix(" speakers")
        frames.append(f.assign(speakers=f.attrs["speakers"], _k=k, _d=f["dyad"],
                               dyad=f["dyad"] + " · " + short))
    out = pd.concat(frames, ignore_index=True)
    # each dyad's selections side by side (charts draw series in order of appearance)
    order = {d: i for i, d in enumerate(pd.unique(frames[0]["_d"]))}
    out = (out.assign(_o=out["_d"].map(order)).sort_values(["_o", "_k"], kind="stable")
           .drop(columns=["_o", "_k", "_d"]).reset_index(drop=True))
    out.attrs = dict(frames[0].attrs)
    out.attrs["speakers"] = " vs ".join(f.attrs["speakers"] for f in frames)
    out.attrs["speaker_codes"] = [f.attrs["speaker_codes"] for f in frames]
    return out


def speaker_rate_ratios(cube: pd.DataFrame, totals: pd.DataFrame, source: str, target: str,
                        milestone, *, speakers: Iterable = (None, "official"),
                        root_code: str | None = "13", duration: int | None = 14,
                        days: int = 150) -> pd.DataFrame:
    """Negative-binomial rate ratio of one dyad's events at a milestone, per speaker selection.

    Runs :func:`toolkit.count_model` (GDELT-volume offset, day-of-week dummies, HAC errors) on
    the ``days`` days either side of ``milestone`` (clipped to the data), once for each
    selection in ``speakers``, so that "Russia's officials threatened more" can be read next
    to "anyone in Russia did".

    Returns
    -------
    DataFrame
        One row per selection: ``speakers``, ``irr``, ``irr_low``, ``irr_high`` (95 %),
        ``p_value``, ``events`` (the selection's events in the range), ``days``.
    """
    from ..analysis import count_model
    from ..dates import parse_date
    from ..speakers import label

    d = parse_date(milestone, name="milestone")
    lo = max(d - pd.Timedelta(days=days), pd.Timestamp(totals["date"].min()))
    hi = min(d + pd.Timedelta(days=days), pd.Timestamp(totals["date"].max()))
    rows = []
    for who in speakers:
        try:
            res = count_model(cube, totals, source, target, {"milestone": d},
                              root_code=root_code, duration=duration, start=lo, end=hi,
                              speakers=who)
        except ValueError as exc:
            if "has no events" not in str(exc):
                raise
            # nothing to model for these speakers (e.g. GDELT coded none of them): say so
            rows.append({"speakers": label(who), "irr": np.nan, "irr_low": np.nan,
                         "irr_high": np.nan, "p_value": np.nan, "events": 0,
                         "days": (hi - lo).days + 1})
            continue
        nb = res.table.query("model == 'negbin' and kind == 'level'").iloc[0]
        rows.append({"speakers": res.info["speakers"], "irr": nb["irr"],
                     "irr_low": nb["irr_low"], "irr_high": nb["irr_high"],
                     "p_value": nb["p_value"], "events": int(res.counts["events"].sum()),
                     "days": res.info["n_obs"]})
    out = pd.DataFrame(rows)
    out.attrs.update({k: cube.attrs.get(k) for k in ("source", "synthetic", "note")})
    out.attrs.update({"dyad": f"{source}→{target}", "date": f"{d:%Y-%m-%d}",
                      "root_code": root_code, "duration": duration,
                      "start": f"{lo:%Y-%m-%d}", "end": f"{hi:%Y-%m-%d}"})
    return out


def describe_speaker_rate_ratios(table: pd.DataFrame, alpha: float = 0.05) -> str:
    """Phrase :func:`speaker_rate_ratios` for what the data is (Markdown).

    Each selection gets its rate ratio with its 95 % interval; when a narrower selection
    (e.g. officials) rose more than all speakers together, the text says the other voices
    dilute the all-speakers ratio. On the demo data it is marked illustrative and names the
    planted effect.
    """
    a = table.attrs
    what = f"CAMEO root {a['root_code']} " if a.get("root_code") else ""
    span = (f"the {a['duration']} days from {a['date']}" if a.get("duration")
            else f"the days from {a['date']} on")
    lines = []
    if a.get("synthetic"):
        lines.append("**Illustrative only — synthetic demo data.** ")
    lines.append(f"{a['dyad']} {what}events in {span}, against the days before and after "
                 f"({a['start']}..{a['end']}), as a rate ratio (negative binomial, offset "
                 "GDELT's daily total):")
    for _, r in table[table["events"] == 0].iterrows():
        lines.append(f"- {r['speakers']}: no such events in this range, nothing to model "
                     "(GDELT coded none with this role here).")
    for _, r in table[table["events"] > 0].iterrows():
        if not np.isfinite(r["irr"]) or not np.isfinite(r["p_value"]):
            lines.append(f"- {r['speakers']}: no rate ratio can be estimated from its "
                         f"{r['events']} events (none, or all, fall in the window, or the model "
                         "did not converge); nothing is concluded.")
            continue
        sig = "distinguishable from no change" if r["p_value"] < alpha else \
            "**not** distinguishable from no change"
        lines.append(f"- {r['speakers']}: ×{r['irr']:.2f} (95 % CI {r['irr_low']:.2f}–"
                     f"{r['irr_high']:.2f}, p = {r['p_value']:.2g}, {r['events']} events): "
                     f"{sig}.")
    every = table[table["speakers"] == "all speakers"]
    if len(every):
        e = every.iloc[0]
        for _, r in table[table["speakers"] != "all speakers"].iterrows():
            if r["events"] and r["irr"] > e["irr"] and r["p_value"] < alpha:
                lines.append(f"\nThe rise is concentrated in {r['speakers']}: all speakers "
                             f"together rose less (×{e['irr']:.2f}): the other voices rose "
                             "less, and dilute it.")
    if a.get("synthetic"):
        planted = _planted(a["date"], a["dyad"])
        lines.append("\nThe demo generator planted: " + (planted or "nothing here") + ". "
                     "This shows what the comparison can find, nothing about what Russia "
                     "said.")
    else:
        lines.append("\nGDELT's speaker type (Actor1Type1Code) is machine-coded from the "
                     "news text: \"Russia\" without a role is common, so officials' events are a "
                     "lower bound of what officials said.")
    return "\n".join(lines)


def event_study_text(series: pd.DataFrame, milestones, *, name: str, **kw):
    """:func:`toolkit.event_study` and :func:`describe_event_study`, or why it cannot run.

    A sparse series (e.g. one speaker group's threats, often zero for weeks) can leave no
    milestone testable; the notebook then says so instead of stopping.

    Returns
    -------
    (result or None, str)
        The result (None when nothing could be tested) and Markdown for the conclusions.
    """
    from ..analysis import event_study

    try:
        res = event_study(series, milestones, **kw)
    except ValueError as exc:
        if not str(exc).startswith(("No milestone can be tested", "The series is constant")):
            raise
        return None, f"**{name}**: the event study cannot run on this data: {exc}"
    return res, describe_event_study(res, series=name)
