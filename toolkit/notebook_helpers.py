"""Small helpers the analysis notebooks share, so that the notebooks hold no library logic.

:func:`source_note`           a Markdown banner saying which data a notebook run shows
:func:`doc_source_for`        the DOC timeline source that matches a cube (never mix real and demo)
:func:`before_after`          mean of an index before vs after several milestones, one table
:func:`describe_event_study`  the event study's result in words fit for what the data is
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .charts import SOURCE_LABELS
from .indices import window_means


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
    from .sources.demo import PLANTED_EFFECTS

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
        for _, r in eff.iterrows():
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
    for _, r in eff.iterrows():
        if r["p_value"] < alpha:
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
    lines.append(f"With {len(eff)} milestones tested at α = {alpha}, about "
                 f"{len(eff) * alpha:.2f} would pass by chance alone; {n_sig} did. A "
                 "significant effect is an association in machine-coded news events around a "
                 "date, not proof that the milestone caused it: other news on the same days, "
                 "coding errors and changes in GDELT's source mix can produce it too.")
    return "\n".join(lines)
