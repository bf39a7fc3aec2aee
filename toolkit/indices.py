"""Rhetoric-intensity indices from the dyad cube, the daily totals and the DOC timelines.

Every cube index is a ratio of SUMS computed after grouping days into periods, so a weekly or
monthly value equals the index recomputed from the summed daily cube (it is never a mean of
daily ratios). Periods: ``D`` day; ``W`` week Monday–Sunday, labelled by its Monday; ``M``
calendar month, labelled by its first day. The first and last period may be partial (they hold
only the days of the range); numerator and denominator then cover the same days.

================================ =============================================== =================
index                            formula (sums over the dyad's cube rows          unit
                                 in the period)
================================ =============================================== =================
``volume``                       1e6 · Σ events / Σ total_events                  events per million
``verbal_conflict_share``        Σ events[QuadClass 3] / Σ events                 share, 0–1
``threat_rate``                  1e6 · Σ events[root 13] / Σ total_events         events per million
``hostility``                    − Σ goldstein_x_articles[Quad 1,3] /             Goldstein points,
                                 Σ articles[Quad 1,3]                             −10..+10
``tone``                         Σ tone_x_articles / Σ articles                   AvgTone points
``rhetoric_intensity``           mean of z-scores (see :func:`compute_indices`)   SD of baseline
``official_share``               Σ events[Quad 3, official speakers] /            share, 0–1
                                 Σ events[Quad 3]
================================ =============================================== =================

**Who speaks.** ``speakers="official"`` (a group of :mod:`toolkit.speakers`, a list of groups
or raw ``source_type`` codes) restricts the NUMERATOR's events to those speakers and leaves the
denominator unchanged: ``threat_rate`` becomes officials' threats per million GDELT events,
``verbal_conflict_share`` officials' verbal conflict as a share of ALL the dyad's events,
``hostility`` and ``tone`` the speakers' part of the article-weighted sum over all the dyad's
articles. So the restricted indices of speakers that partition the cube add up to the
all-speakers index (a test checks this).

A period in which the dyad has no events has ``volume = threat_rate = 0``, but the shares and
means (``verbal_conflict_share``, ``hostility``, ``tone``) are undefined there and are NaN, not 0:
a quiet day is not a neutral day. A day missing from the daily totals (GDELT outage) has no
denominator: every index is NaN for it.

References
----------
GDELT 2.0 Event codebook (QuadClass, GoldsteinScale, AvgTone, NumArticles).
Goldstein, J. S. (1992). A Conflict-Cooperation Scale for WEIS Events Data. *Journal of
Conflict Resolution* 36(2), 369–385.
Schrodt, P. A. (2012). *CAMEO Conflict and Mediation Event Observations Event and Actor
Codebook*, version 1.1b3 (root code 13 Threaten).
OECD & JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*
(standardisation by z-scores, equal weighting).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from . import schema as S
from .actors import dyad_label, validate_actors

#: Accepted frequency names -> canonical code.
FREQS: dict[str, str] = {"D": "D", "day": "D", "daily": "D", "W": "W", "week": "W",
                         "weekly": "W", "M": "M", "month": "M", "monthly": "M", "MS": "M"}
FREQ_LABELS = {"D": "daily", "W": "weekly (Mon–Sun, labelled by Monday)",
               "M": "monthly (labelled by the 1st)"}

#: Cube indices and their units.
UNITS: dict[str, str] = {
    "volume": "events per million GDELT events",
    "verbal_conflict_share": "share of the dyad's events (0–1)",
    "threat_rate": "Threaten (root 13) events per million GDELT events",
    "hostility": "minus article-weighted Goldstein (−10..+10)",
    "tone": "article-weighted AvgTone (tone points)",
    "rhetoric_intensity": "mean z-score (baseline SDs)",
    "official_share": "share of the dyad's verbal-conflict events voiced by officials (0–1)",
}
#: Names accepted by :func:`compute_index` / :func:`compute_indices`.
INDICES: tuple[str, ...] = tuple(UNITS)
#: Display titles.
TITLES: dict[str, str] = {
    "volume": "Volume", "verbal_conflict_share": "Verbal-conflict share",
    "threat_rate": "Threat rate", "hostility": "Hostility", "tone": "Tone",
    "rhetoric_intensity": "Rhetoric intensity (composite)",
    "coverage_volume": "DOC coverage volume", "coverage_tone": "DOC coverage tone",
    "coverage_articles": "DOC matching articles",
    "official_share": "Official share of verbal conflict",
}

#: Components of the composite and their sign (+1: higher = more intense rhetoric).
DEFAULT_COMPONENTS: dict[str, float] = {
    "verbal_conflict_share": 1.0, "threat_rate": 1.0, "hostility": 1.0, "tone": -1.0,
}
#: Default baseline of the composite: the five years before Russia's invasion of Ukraine.
DEFAULT_BASELINE: tuple[str, str] = ("2017-01-01", "2021-12-31")

COLUMNS = ["date", "source", "target", "dyad", "index", "value"]
DOC_COLUMNS = ["date", "query", "source_country", "index", "value"]

# numerator/denominator sums per index (cube indices other than the composite)
# (numerators hold the chosen speakers' events only; denominators every speaker's)
_RATIOS: dict[str, tuple[str, str, float]] = {
    "volume": ("events_spk", "total_events", 1e6),
    "verbal_conflict_share": ("events_q3", "events", 1.0),
    "threat_rate": ("events_r13", "total_events", 1e6),
    "hostility": ("verbal_gx", "verbal_articles", -1.0),
    "tone": ("tone_x_articles", "articles", 1.0),
    "official_share": ("events_q3_official", "events_q3_all", 1.0),
}


def _freq(freq: str) -> str:
    try:
        return FREQS[freq]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown frequency {freq!r}; choose one of "
                         f"{', '.join(FREQS)}") from None


def period_start(dates: pd.Series | pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    """Label each day with the first day of its period (day, Monday of its week, 1st of month).

    Examples
    --------
    >>> period_start(pd.DatetimeIndex(["2026-02-21", "2026-02-22"]), "W").strftime("%F").tolist()
    ['2026-02-16', '2026-02-16']
    """
    d = pd.DatetimeIndex(dates).normalize()
    f = _freq(freq)
    if f == "D":
        return d
    if f == "W":
        return d - pd.to_timedelta(d.day_of_week, unit="D")
    return d - pd.to_timedelta(d.day - 1, unit="D")


def _period_range(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    f = _freq(freq)
    first = period_start(pd.DatetimeIndex([start]), f)[0]
    step = {"D": "D", "W": "W-MON", "M": "MS"}[f]
    return pd.date_range(first, end, freq=step)


def _parse_dyads(dyads, cube: pd.DataFrame) -> list[tuple[str, str]]:
    if dyads is None:
        pairs = cube[["source", "target"]].drop_duplicates()
        order = {"RUS": 0, "KOR": 1, "PRK": 2}
        out = [(str(s), str(t)) for s, t in pairs.itertuples(index=False)]
        return sorted(out, key=lambda p: (order.get(p[0], 9), p[0], order.get(p[1], 9), p[1]))
    if isinstance(dyads, str):
        dyads = [d for d in dyads.split(",") if d.strip()]
    out = []
    for d in dyads:
        if isinstance(d, str):
            parts = [p for p in d.replace("→", "-").replace(">", "-").split("-") if p.strip()]
        else:
            parts = list(d)
        if len(parts) != 2:
            raise ValueError(f"Cannot read dyad {d!r}; give ('RUS', 'KOR'), 'RUS→KOR' or "
                             "'RUS-KOR'")
        if str(parts[0]).strip().upper() == str(parts[1]).strip().upper():
            raise ValueError(f"Dyad {d!r} has the same source and target")
        s, t = validate_actors(parts)
        if (s, t) not in out:
            out.append((s, t))
    # a dyad whose actor the cube never held (load_cube records them in attrs["actors"])
    # would read as "no events": refuse it instead
    held = set(cube.attrs.get("actors") or ())
    absent = [f"{s}→{t}" for s, t in out if not {s, t} <= held]
    if absent and held:
        raise ValueError(
            f"Dyad {', '.join(absent)}: the cube holds only actors {', '.join(sorted(held))}; "
            "load a cube with those actors (load_cube(..., actors=[...])) or pick dyads among "
            "them")
    return out


def _period_sums(cube: pd.DataFrame, totals: pd.DataFrame, dyads: list[tuple[str, str]],
                 freq: str, codes: tuple[str, ...] | None = None,
                 official: tuple[str, ...] = ()) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """Numerator and denominator sums per (dyad, period) on a complete period grid.

    ``codes``: the speaker types whose events count in the numerators (None: all);
    ``official``: the types of ``official_share``'s numerator.
    """
    S.validate(cube, S.CUBE, where="cube given to indices")
    S.validate(totals, S.DAILY_TOTALS, where="totals given to indices")
    tot_dates = pd.DatetimeIndex(totals["date"])
    if len(tot_dates) == 0:
        return pd.DataFrame(), pd.DatetimeIndex([])
    keep = pd.MultiIndex.from_frame(cube[["source", "target"]].astype(str)).isin(dyads)
    c = cube.loc[keep]
    missing = pd.DatetimeIndex(c.loc[c["events"] > 0, "date"].unique()).difference(tot_dates)
    if len(missing):
        raise ValueError(
            f"The daily totals lack {len(missing)} day(s) that the cube has events on (first "
            f"{missing.min():%Y-%m-%d}); load the totals for the same range and source as the "
            "cube, e.g. toolkit.load_daily_totals(start, end, source=cube.attrs['source'])")
    verbal = c["quad_class"].isin([1, 3]).to_numpy()
    q3 = (c["quad_class"] == 3).to_numpy()
    stype = c["source_type"].astype(str)
    spk = np.ones(len(c), bool) if codes is None else stype.isin(codes).to_numpy()
    num = verbal & spk
    ev = c["events"].to_numpy(dtype=float)
    parts = pd.DataFrame({
        "source": c["source"].astype(str).to_numpy(),
        "target": c["target"].astype(str).to_numpy(),
        "period": period_start(c["date"], freq),
        "events": ev,
        "events_spk": np.where(spk, ev, 0.0),
        "events_q3": np.where(q3 & spk, ev, 0.0),
        "events_r13": np.where((c["root_code"].astype(str) == "13").to_numpy() & spk, ev, 0.0),
        "verbal_gx": np.where(num, c["goldstein_x_articles"], 0.0),
        "verbal_articles": np.where(verbal, c["articles"], 0).astype(float),
        "articles": c["articles"].to_numpy(dtype=float),
        "tone_x_articles": np.where(spk, c["tone_x_articles"], 0.0),
        "events_q3_official": np.where(q3 & stype.isin(official).to_numpy(), ev, 0.0),
        "events_q3_all": np.where(q3, ev, 0.0),
    })
    sums = parts.groupby(["source", "target", "period"], sort=False).sum()
    periods = _period_range(tot_dates.min(), tot_dates.max(), freq)
    den = (pd.Series(totals["total_events"].to_numpy(dtype=float),
                     index=period_start(totals["date"], freq))
           .groupby(level=0).sum(min_count=1).reindex(periods))
    grid = pd.MultiIndex.from_tuples(
        [(s, t, p) for s, t in dyads for p in periods], names=["source", "target", "period"])
    sums = sums.reindex(grid, fill_value=0.0)
    sums["total_events"] = np.tile(den.to_numpy(), len(dyads))
    return sums, periods


def _ratio(num: np.ndarray, den: np.ndarray, factor: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, factor * num / den, np.nan)


def _roll(sums: pd.DataFrame, window: int, min_periods: int | None = None) -> pd.DataFrame:
    # trailing window over periods, per dyad; NaN totals (missing days) count as 0. The first
    # `min_periods - 1` periods of each dyad (default: window - 1) have no full window: NaN.
    g = sums.groupby(level=["source", "target"], sort=False)
    out = g.transform(lambda s: s.rolling(window, min_periods=1).sum())
    early = g.cumcount().to_numpy() < (window if min_periods is None else min_periods) - 1
    out.loc[early] = np.nan
    return out


def _check_min_periods(rolling, min_periods) -> None:
    if min_periods is None:
        return
    if not rolling:
        raise ValueError("min_periods needs rolling=<periods>")
    if not isinstance(min_periods, int | np.integer) or not 1 <= min_periods <= rolling:
        raise ValueError(f"min_periods={min_periods!r}; give a whole number from 1 to "
                         f"rolling={rolling}, or None (= rolling: NaN until the window is full)")


def partial_periods(periods: pd.DatetimeIndex, freq: str, start, end) -> list[str]:
    """Periods (labelled by their first day) that hold fewer days than a full period because
    the data range ``start``..``end`` cuts them (the first and last week or month).

    Examples
    --------
    >>> p = pd.DatetimeIndex(["2021-05-31", "2021-06-07", "2021-06-14"])
    >>> partial_periods(p, "W", "2021-06-01", "2021-06-16")
    ['2021-05-31', '2021-06-14']
    """
    f = _freq(freq)
    if f == "D" or not len(periods):
        return []
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    last = (periods + pd.Timedelta(days=6) if f == "W"
            else periods + pd.offsets.MonthEnd(0))
    cut = (periods < start) | (last > end)
    return [f"{p:%Y-%m-%d}" for p in periods[cut]]


def partial_mask(frame: pd.DataFrame) -> pd.Series:
    """Boolean Series: True on rows whose period is partial (``attrs["partial_periods"]``).

    Use it to drop or flag them: ``df[~partial_mask(df)]`` or
    ``df.assign(partial=partial_mask(df))``.
    """
    partial = pd.DatetimeIndex(frame.attrs.get("partial_periods") or [])
    return pd.Series(pd.DatetimeIndex(frame["date"]).isin(partial), index=frame.index,
                     name="partial")


def _baseline_range(baseline, periods: pd.DatetimeIndex) -> tuple[pd.Timestamp, pd.Timestamp]:
    from .dates import parse_range

    if isinstance(baseline, str) and baseline == "all":
        return periods.min(), periods.max()
    if baseline is None:
        baseline = DEFAULT_BASELINE
    try:
        b0, b1 = baseline
    except (TypeError, ValueError):
        raise ValueError(f"baseline={baseline!r}; give (start, end) such as "
                         f"{DEFAULT_BASELINE} or 'all'") from None
    b0, b1 = parse_range(b0, b1)
    return b0, b1


def compute_indices(cube: pd.DataFrame, totals: pd.DataFrame,
                    indices: str | Iterable[str] | None = None, *,
                    dyads: Iterable | str | None = None, freq: str = "D",
                    rolling: int | None = None,
                    baseline: tuple | str | None = None,
                    components: Mapping[str, float] | None = None,
                    min_periods: int | None = None,
                    speakers: str | Iterable[str] | None = None,
                    speaker_groups: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Compute rhetoric-intensity indices per directed dyad as one tidy long frame.

    Formulas (sums over the dyad's cube rows in each period; see the module docstring):

    - ``volume`` = 1e6 · Σ events / Σ total_events (events per million GDELT events);
    - ``verbal_conflict_share`` = Σ events with QuadClass 3 / Σ events (0–1);
    - ``threat_rate`` = 1e6 · Σ events with CAMEO root 13 (Threaten) / Σ total_events;
    - ``hostility`` = −Σ goldstein_x_articles / Σ articles over verbal events (QuadClass 1 and
      3): minus the article-weighted mean Goldstein score (−10..+10; higher = more hostile);
    - ``tone`` = Σ tone_x_articles / Σ articles: article-weighted mean AvgTone (negative =
      negative coverage);
    - ``rhetoric_intensity`` (composite): for each component *k* in ``components`` (default
      verbal-conflict share, threat rate, hostility and minus tone) the z-score
      ``z_k = sign_k · (x_k − mean_k) / sd_k`` where mean_k and sd_k (ddof=1) are taken over
      the dyad's own unsmoothed period values inside the **baseline** period (default
      2017-01-01 to 2021-12-31, before the invasion of Ukraine); the composite is the weighted
      mean Σ w_k z_k / Σ |w_k|. Unit: baseline standard deviations; 0 = the dyad's baseline
      average; +1 = one SD more intense. It is NaN in periods where any component is NaN
      (e.g. a day without events) and for a component whose baseline SD is 0 or undefined
      (a warning names it). Volume is left out by default because summits raise volume as
      much as threats do; pass ``components`` to change that;
    - ``official_share`` = Σ events with QuadClass 3 voiced by the ``official`` speaker group
      (``source_type`` GOV, MIL, LEG, JUD, COP, SPY, UIS) / Σ events with QuadClass 3 (0–1;
      NaN in a period without verbal conflict).

    With ``speakers`` the numerators count only those speakers' events (denominators are
    unchanged), so e.g. ``threat_rate`` with ``speakers="official"`` is officials' threats
    per million GDELT events.

    Parameters
    ----------
    cube, totals : DataFrame
        From :func:`toolkit.load_cube` and :func:`toolkit.load_daily_totals` (same range and
        source).
    indices : str or list of str, optional
        Names from :data:`INDICES` (default: all).
    dyads : list, optional
        Directed dyads as ``("RUS", "KOR")``, ``"RUS→KOR"`` or ``"RUS-KOR"`` (default: every
        dyad present in the cube). A requested dyad without events gets volume 0; one with an
        actor the cube does not hold (``cube.attrs["actors"]``, set by :func:`toolkit.load_cube`)
        raises ValueError naming the cube's actors.
    freq : {"D", "W", "M"}
        Day, week (Mon–Sun, labelled by Monday) or month (labelled by its first day).
    rolling : int, optional
        Trailing window of this many periods, computed from window SUMS (the ratio of sums
        over the last ``rolling`` periods, i.e. the index of the summed window). The first
        ``rolling - 1`` periods have no full window and are NaN (see ``min_periods``). The
        unsmoothed value is kept in column ``raw``.
    baseline : (start, end) or "all", optional
        Baseline period of the composite's z-scores (default :data:`DEFAULT_BASELINE`).
    components : dict, optional
        Composite components and weights; the weight's sign orients the component (default
        :data:`DEFAULT_COMPONENTS`).
    min_periods : int, optional
        With ``rolling``: periods a window needs before it gets a value (default
        ``rolling``: NaN until the window is full); ``min_periods=1`` gives the first periods
        the ratio of the periods available.
    speakers : str or list of str, optional
        Whose events count in the numerators: a group of :mod:`toolkit.speakers`
        (``"official"``, ``"media"``, ``"society"``, ``"opposition"``, ``"unspecified"``), a
        list of groups and/or ``source_type`` codes (``["MED", "OPP"]``); None: everyone.
    speaker_groups : dict, optional
        Extra or redefined groups, name -> type codes (also redefines ``official`` for
        ``official_share``).

    Returns
    -------
    DataFrame
        Columns ``date`` (period start), ``source``, ``target``, ``dyad`` ("RUS→KOR"),
        ``index``, ``value`` (+ ``raw`` when ``rolling`` is set); one row per dyad, index and
        period. ``attrs``: ``speakers`` (e.g. "official speakers"), ``speaker_codes`` (None
        for all), ``source``, ``synthetic``, ``note`` (from the cube), ``freq``,
        ``rolling``, ``baseline``, ``components``, ``units`` (index -> unit), ``start``,
        ``end``, ``partial_periods`` (first days of the periods the range cuts, e.g. a week
        from 2021-06-01 starts on Monday 2021-05-31 and holds 6 days: drawn with hollow
        markers by :mod:`toolkit.charts`; see :func:`partial_mask`) and ``baseline_stats``
        ({dyad: {component: [mean, sd]}}) for the composite.

    Raises
    ------
    ValueError
        Unknown index, frequency or dyad code; totals that lack days the cube has events on;
        a baseline outside the data.

    Examples
    --------
    >>> import toolkit
    >>> c = toolkit.load_cube("2021-12-01", "2022-03-31", source="demo")
    >>> t = toolkit.load_daily_totals("2021-12-01", "2022-03-31", source="demo")
    >>> df = compute_indices(c, t, ["volume", "tone"], dyads=["RUS→KOR"], freq="W")
    >>> sorted(df["index"].unique())
    ['tone', 'volume']
    """
    if indices is None:
        wanted = list(INDICES)
    else:
        wanted = [indices] if isinstance(indices, str) else list(indices)
        bad = [i for i in wanted if i not in INDICES]
        if bad:
            raise ValueError(f"Unknown index {', '.join(map(repr, bad))}; choose from "
                             f"{', '.join(INDICES)}")
    f = _freq(freq)
    if rolling is not None and (not isinstance(rolling, int | np.integer) or rolling < 1):
        raise ValueError(f"rolling={rolling!r}; give a whole number of periods ≥ 1, or None")
    _check_min_periods(rolling, min_periods)
    comps = dict(DEFAULT_COMPONENTS if components is None else components)
    bad = [k for k in comps if k not in _RATIOS]
    if bad or not comps:
        raise ValueError(f"Composite components must be among {', '.join(_RATIOS)}; got "
                         f"{', '.join(map(repr, bad)) or 'none'}")
    from . import speakers as SP

    codes = SP.resolve(speakers, speaker_groups)
    pairs = _parse_dyads(dyads, cube)
    sums, periods = _period_sums(cube, totals, pairs, f, codes,
                                 SP.groups(speaker_groups)["official"])

    attrs = {k: cube.attrs.get(k) for k in ("source", "synthetic", "note", "dataset", "date_basis")}
    attrs.update({"speakers": SP.label(speakers, speaker_groups),
                  "speaker_codes": None if codes is None else list(codes)})
    attrs.update({"freq": f, "freq_label": FREQ_LABELS[f], "rolling": rolling,
                  "min_periods": (min_periods or rolling) if rolling else None,
                  "partial_periods": partial_periods(
                      periods, f, totals["date"].min(), totals["date"].max()) if len(periods)
                  else [],
                  "baseline": None,
                  "units": {i: UNITS[i] for i in wanted},
                  "start": f"{pd.Timestamp(totals['date'].min()):%Y-%m-%d}" if len(periods)
                  else None,
                  "end": f"{pd.Timestamp(totals['date'].max()):%Y-%m-%d}" if len(periods)
                  else None})
    if len(wanted) == 1:
        attrs["unit"] = UNITS[wanted[0]]
    if not len(periods) or not pairs:
        out = pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "date" else
                                         "float64" if c == "value" else object)
                            for c in COLUMNS})
        out.attrs = attrs
        return out

    raw = {name: _ratio(sums[n].to_numpy(), sums[d].to_numpy(), k)
           for name, (n, d, k) in _RATIOS.items()}
    if rolling:
        rolled = _roll(sums, rolling, min_periods)
        smooth = {name: _ratio(rolled[n].to_numpy(), rolled[d].to_numpy(), k)
                  for name, (n, d, k) in _RATIOS.items()}
    else:
        smooth = raw

    if "rhetoric_intensity" in wanted:
        b0, b1 = _baseline_range(baseline, periods)
        in_base = np.tile((periods >= period_start(pd.DatetimeIndex([b0]), f)[0])
                          & (periods <= b1), len(pairs))
        if not in_base.any():
            raise ValueError(
                f"The baseline {b0:%Y-%m-%d}..{b1:%Y-%m-%d} lies outside the data "
                f"({periods.min():%Y-%m-%d}..{periods.max():%Y-%m-%d}); load data that covers "
                "it, or pass baseline=(start, end) inside the data, or baseline='all'")
        n = len(periods)
        stats: dict[str, dict[str, list[float]]] = {}
        z_raw = np.zeros(n * len(pairs))
        z_smooth = np.zeros(n * len(pairs))
        for j, (s, t) in enumerate(pairs):
            sl = slice(j * n, (j + 1) * n)
            dstats = stats.setdefault(dyad_label(s, t), {})
            for k, w in comps.items():
                base = raw[k][sl][in_base[sl]]
                base = base[~np.isnan(base)]
                mu = float(base.mean()) if len(base) else np.nan
                sd = float(base.std(ddof=1)) if len(base) > 1 else np.nan
                dstats[k] = [mu, sd]
                if not (sd > 0):
                    warnings.warn(
                        f"rhetoric_intensity: {k} of {dyad_label(s, t)} has no spread in the "
                        f"baseline ({len(base)} defined period(s), sd={sd}); the composite is "
                        "NaN for this dyad. Use a longer baseline or a coarser freq.",
                        stacklevel=2)
                    z_raw[sl] = np.nan
                    z_smooth[sl] = np.nan
                    continue
                z_raw[sl] += w * (raw[k][sl] - mu) / sd
                z_smooth[sl] += w * (smooth[k][sl] - mu) / sd
        total_w = sum(abs(w) for w in comps.values())
        raw["rhetoric_intensity"] = z_raw / total_w
        smooth["rhetoric_intensity"] = z_smooth / total_w
        attrs.update({"baseline": (f"{b0:%Y-%m-%d}", f"{b1:%Y-%m-%d}"),
                      "components": comps, "baseline_stats": stats})

    idx = sums.index
    frames = []
    for name in wanted:
        part = {
            "date": idx.get_level_values("period"),
            "source": idx.get_level_values("source").astype(str),
            "target": idx.get_level_values("target").astype(str),
            "index": name,
            "value": smooth[name],
        }
        if rolling:
            part["raw"] = raw[name]
        frames.append(pd.DataFrame(part))
    out = pd.concat(frames, ignore_index=True)
    out.insert(3, "dyad", out["source"] + "→" + out["target"])
    out["date"] = out["date"].astype("datetime64[ns]")
    out.attrs = attrs
    return out


def compute_index(cube: pd.DataFrame, totals: pd.DataFrame, index: str = "volume", *,
                  freq: str = "D", rolling: int | None = None, dyads=None,
                  baseline: tuple | str | None = None,
                  min_periods: int | None = None,
                  speakers: str | Iterable[str] | None = None,
                  speaker_groups: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Compute ONE index per directed dyad as a tidy long frame.

    A thin wrapper of :func:`compute_indices` (see it for the formulas).

    Parameters
    ----------
    cube, totals : DataFrame
        From :func:`toolkit.load_cube` and :func:`toolkit.load_daily_totals`.
    index : str
        One of :data:`INDICES`.
    freq : {"D", "W", "M"}
        Day, week (Mon–Sun, labelled by Monday) or month.
    rolling : int, optional
        Trailing window over this many periods (ratio of window sums), e.g. 7 for 7 days;
        NaN until the window is full unless ``min_periods`` says otherwise.
    dyads, baseline, min_periods, speakers, speaker_groups
        As in :func:`compute_indices` (``speakers="official"``: officials' events only in
        the numerator).

    Returns
    -------
    DataFrame
        Columns ``date, source, target, dyad, index, value`` (+ ``raw`` with ``rolling``);
        ``attrs`` records ``freq``, ``rolling``, ``unit`` and the data source.

    Examples
    --------
    >>> import toolkit
    >>> c = toolkit.load_cube("2022-02-01", "2022-02-28", source="demo")
    >>> t = toolkit.load_daily_totals("2022-02-01", "2022-02-28", source="demo")
    >>> compute_index(c, t, "volume").columns.tolist()
    ['date', 'source', 'target', 'dyad', 'index', 'value']
    """
    if not isinstance(index, str) or index not in INDICES:
        raise ValueError(f"Unknown index {index!r}; choose one of {', '.join(INDICES)}")
    return compute_indices(cube, totals, [index], dyads=dyads, freq=freq, rolling=rolling,
                           baseline=baseline, min_periods=min_periods, speakers=speakers,
                           speaker_groups=speaker_groups)


def window_means(frame: pd.DataFrame, date, days: int = 30, *,
                 by: str = "dyad", column: str = "value") -> pd.DataFrame:
    """Mean of an index's values before and after a date, per series.

    ``before`` covers the ``days`` periods strictly before ``date``; ``after`` covers ``date``
    itself and the ``days − 1`` following days (equal lengths). These are plain means of the
    frame's values (e.g. of daily ratios), NaN values skipped.

    Parameters
    ----------
    frame : DataFrame
        Tidy index frame with ``date``, ``value`` and the ``by`` column (one index).
    date : date-like
        The milestone day.
    days : int
        Window length on each side, in days.
    by : str
        Column naming the series.
    column : str
        Values to average: ``value``, or ``raw`` for the unsmoothed values of a frame computed
        with ``rolling`` (a trailing window would carry pre-milestone days into "after").

    Returns
    -------
    DataFrame
        Columns ``<by>``, ``before``, ``after``, ``change`` (after − before), ``n_before``,
        ``n_after`` (defined values used).
    """
    from .dates import parse_date

    d = parse_date(date)
    if days < 1:
        raise ValueError(f"days={days!r}; give a window of at least 1 day")
    if "index" in frame and frame["index"].nunique() > 1:
        raise ValueError("window_means needs a frame with ONE index; filter it first, e.g. "
                         "frame[frame['index'] == 'hostility']")
    before = frame[(frame["date"] >= d - pd.Timedelta(days=days)) & (frame["date"] < d)]
    after = frame[(frame["date"] >= d) & (frame["date"] < d + pd.Timedelta(days=days))]
    if column not in frame:
        raise ValueError(f"column={column!r} is not in the frame; choose from "
                         f"{', '.join(frame.columns)}")
    b = before.groupby(by, sort=False)[column].agg(["mean", "count"])
    a = after.groupby(by, sort=False)[column].agg(["mean", "count"])
    out = pd.DataFrame({"before": b["mean"], "after": a["mean"],
                        "n_before": b["count"], "n_after": a["count"]})
    out["change"] = out["after"] - out["before"]
    out = out.reset_index().rename(columns={"index": by})
    return out[[by, "before", "after", "change", "n_before", "n_after"]]


# --- DOC 2.0 timelines ---------------------------------------------------------------------

#: DOC timeline modes this module turns into indices.
DOC_MODES = ("timelinevol", "timelinevolraw", "timelinetone", "timelinesourcecountry")
DOC_UNITS: dict[str, str] = {
    "coverage_volume": "% of all articles GDELT monitored",
    "coverage_articles": "matching articles (count)",
    "coverage_tone": "average tone of matching articles (tone points)",
}
_SC_SUFFIXES = (" Volume Intensity", " Volume")


def doc_indices(doc: pd.DataFrame, *, freq: str = "D",
                rolling: int | None = None, min_periods: int | None = None) -> pd.DataFrame:
    """Coverage volume and tone per query and source country from DOC 2.0 timelines.

    Parameters
    ----------
    doc : DataFrame
        Tidy DOC timelines as returned by :func:`toolkit.load_doc_timelines` /
        :func:`toolkit.doc_timeline`: columns ``date`` (UTC), ``query``, ``mode``, ``series``,
        ``value``, ``norm`` (``norm`` is NaN where the mode gives none). Rows of other modes
        (e.g. ``timelinelang``) are ignored.
    freq : {"D", "W", "M"}
        Output periods, as in :func:`compute_indices` (finer DOC steps are summed into days).
    rolling : int, optional
        Trailing mean over this many periods (of the period values; ``raw`` keeps them); NaN
        until the window is full.
    min_periods : int, optional
        With ``rolling``: periods a window needs before it gets a value (default
        ``rolling``).

    Returns
    -------
    DataFrame
        Columns ``date, query, source_country, index, value`` (+ ``raw`` with ``rolling``)
        where ``index`` is

        - ``coverage_volume`` (% of all monitored articles): from ``timelinevolraw`` as
          100 · Σ value / Σ norm (exact for any period), else from ``timelinevol`` as the
          plain mean of the steps' percentages (the API gives no denominator);
          ``source_country`` is ``"all"``;
        - ``coverage_articles`` (count): Σ value of ``timelinevolraw``;
        - ``coverage_tone`` (tone points): ``timelinetone``'s Average Tone, averaged over the
          period weighted by the query's article counts when ``timelinevolraw`` is present
          for the same steps, else a plain mean;
        - for a query restricted to one media group (``NAME@MEDIA`` in the DOC registry, e.g.
          ``rus-kor@russian``) ``query`` is ``NAME`` and ``source_country`` is ``MEDIA``, so
          coverage and tone compare Russian with Korean media;
        - ``coverage_volume`` per source country from ``timelinesourcecountry`` (one series per
          country; the suffix " Volume Intensity" is stripped), plain mean of the steps.

        ``attrs`` keeps the frame's ``source``/``synthetic`` and adds
        ``freq``, ``rolling``, ``units`` and ``partial_periods`` (as in
        :func:`compute_indices`).

    Examples
    --------
    >>> doc = pd.DataFrame({"date": pd.to_datetime(["2026-02-20", "2026-02-21"]),
    ...                     "query": "rus-kor", "mode": "timelinevolraw",
    ...                     "series": "Article Count", "value": [30.0, 10.0],
    ...                     "norm": [1000.0, 1000.0]})
    >>> doc_indices(doc, freq="W")[["index", "value"]].values.tolist()
    [['coverage_articles', 40.0], ['coverage_volume', 2.0]]
    """
    need = ["date", "query", "mode", "series", "value"]
    missing = [c for c in need if c not in doc.columns]
    if missing:
        raise ValueError(f"DOC timeline frame is missing column(s) {', '.join(missing)}; "
                         "expected date, query, mode, series, value, norm (as returned by "
                         "toolkit.load_doc_timelines)")
    f = _freq(freq)
    _check_min_periods(rolling, min_periods)
    d = doc.copy()
    if "norm" not in d:
        d["norm"] = np.nan
    d["mode"] = d["mode"].astype(str).str.lower()
    dates = pd.to_datetime(d["date"])
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    d["step"] = dates
    d["period"] = period_start(dates, f)
    # "rus-kor@russian": the DOC registry's query restricted to one media group
    # (sourcecountry); split it so that tone and volume compare per source country
    q = (d["query"].astype(str).str.partition("@") if len(d)
         else pd.DataFrame({0: pd.Series(dtype=object), 2: pd.Series(dtype=object)}))
    d["query"] = q[0].to_numpy()
    d["media"] = q[2].where(q[2] != "", "all").to_numpy()
    d["value"] = pd.to_numeric(d["value"], errors="coerce").astype(float)
    d["norm"] = pd.to_numeric(d["norm"], errors="coerce").astype(float)
    parts = []
    keys = ["query", "media", "period"]

    raw_v = d[d["mode"] == "timelinevolraw"]
    if len(raw_v):
        g = raw_v.groupby(keys)
        num, den = g["value"].sum(), g["norm"].sum(min_count=1)
        parts.append(_doc_part(_safe_div(100 * num, den), "coverage_volume"))
        parts.append(_doc_part(num, "coverage_articles"))
    vol = d[d["mode"] == "timelinevol"]
    if len(vol):
        pct = vol.groupby(keys)["value"].mean()
        if len(raw_v):  # volraw wins where both exist
            pct = pct[~pct.index.isin(raw_v.groupby(keys).size().index)]
        parts.append(_doc_part(pct, "coverage_volume"))
    tone = d[d["mode"] == "timelinetone"]
    if len(tone):
        w = raw_v.groupby(["query", "media", "step"])["value"].sum() if len(raw_v) else None
        t = tone.set_index(["query", "media", "step"])
        if w is not None:
            t = t.assign(w=w.reindex(t.index))
        else:
            t = t.assign(w=np.nan)
        t = t.reset_index()
        weighted = t.groupby(keys).apply(_tone_mean, include_groups=False)
        parts.append(_doc_part(weighted, "coverage_tone"))
    sc = d[d["mode"] == "timelinesourcecountry"]
    if len(sc):
        country = sc["series"].astype(str)
        for suf in _SC_SUFFIXES:
            country = country.str.removesuffix(suf)
        sc = sc.assign(source_country=country)
        pct = sc.groupby(["query", "source_country", "period"])["value"].mean()
        part = pct.rename("value").reset_index().rename(columns={"period": "date"})
        part["index"] = "coverage_volume"
        parts.append(part)

    if parts:
        out = pd.concat(parts, ignore_index=True)
    else:
        out = pd.DataFrame(columns=DOC_COLUMNS)
    out = out[DOC_COLUMNS].sort_values(["index", "query", "source_country", "date"],
                                       kind="stable").reset_index(drop=True)
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    out["value"] = out["value"].astype(float)
    if rolling and len(out):
        out["raw"] = out["value"]
        out["value"] = (out.groupby(["index", "query", "source_country"], sort=False)["raw"]
                        .transform(lambda s: s.rolling(
                            rolling, min_periods=min_periods or rolling).mean()))
    out.attrs = {k: doc.attrs.get(k) for k in ("source", "synthetic", "note")}
    if out.attrs.get("source") in (None, "unknown"):
        out.attrs["source"] = "doc"
    out.attrs["product"] = "doc"
    days = pd.DatetimeIndex(dates) if len(d) else pd.DatetimeIndex([])
    out.attrs.update({"freq": f, "freq_label": FREQ_LABELS[f], "rolling": rolling,
                      "units": dict(DOC_UNITS),
                      "partial_periods": partial_periods(
                          pd.DatetimeIndex(sorted(out["date"].unique())), f,
                          days.min().normalize(), days.max().normalize()) if len(days) else []})
    return out


def _safe_div(num: pd.Series, den: pd.Series) -> pd.Series:
    return pd.Series(_ratio(num.to_numpy(), den.reindex(num.index).to_numpy(), 1.0),
                     index=num.index)


def _tone_mean(g: pd.DataFrame) -> float:
    v, w = g["value"].to_numpy(), g["w"].to_numpy()
    ok = ~np.isnan(v)
    if not ok.any():
        return np.nan
    if not np.isnan(w[ok]).any():
        return float(np.sum(v[ok] * w[ok]) / w[ok].sum()) if w[ok].sum() > 0 else np.nan
    return float(v[ok].mean())


def _doc_part(s: pd.Series, index: str) -> pd.DataFrame:
    part = s.rename("value").reset_index().rename(columns={"period": "date",
                                                            "media": "source_country"})
    part["index"] = index
    return part
