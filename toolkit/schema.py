"""The two central tables, defined once: the dyad cube and the daily totals.

Every loader (demo, local GDELT files, BigQuery) returns frames with exactly these columns
and dtypes; :func:`validate` checks them and names what is wrong. The data dictionary
in docs/cube.md is written from :data:`CUBE` and :data:`DAILY_TOTALS` (a test checks they agree).

The cube holds SUMS, never means, so that it rolls up to weeks and months and merges across
sources exactly. Means and indices are computed later (:mod:`toolkit.indices`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Column:
    """One column of a table: name, logical kind, numpy/pandas dtype, unit and meaning."""

    name: str
    kind: str  # "date" | "code" | "int" | "float"
    unit: str
    meaning: str

    @property
    def dtype(self) -> str:
        return {"date": "datetime64[ns]", "code": "string", "int": "int64", "float": "float64"}[
            self.kind
        ]


@dataclass(frozen=True)
class Schema:
    """An ordered set of columns and the key that identifies a row."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def __getitem__(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def empty(self) -> pd.DataFrame:
        """An empty frame with this schema's columns and dtypes."""
        return coerce(pd.DataFrame({c.name: [] for c in self.columns}), self)


CUBE = Schema(
    name="dyad cube",
    key=("date", "source", "source_type", "target", "root_code", "quad_class"),
    columns=(
        Column("date", "date", "day (UTC)", "Event day: SQLDATE by default, or DATEADDED's day "
               "when built with date_basis='dateadded'."),
        Column("source", "code", "CAMEO country code", "Actor1CountryCode: who acts/speaks."),
        Column("source_type", "code", "CAMEO actor type or \"\"", "Actor1Type1Code: the "
               "speaker's role (GOV, MIL, MED, BUS, OPP, ...; \"\" when GDELT gives none). "
               "Speaker groups: toolkit.speakers."),
        Column("target", "code", "CAMEO country code", "Actor2CountryCode: at whom."),
        Column("root_code", "code", "CAMEO root '01'..'20'", "EventRootCode (string, leading "
               "zero kept)."),
        Column("quad_class", "int", "1..4", "QuadClass: 1 verbal coop., 2 material coop., "
               "3 verbal conflict, 4 material conflict."),
        Column("events", "int", "count", "Number of events (rows)."),
        Column("root_events", "int", "count", "Events with IsRootEvent = 1 (lead paragraph)."),
        Column("articles", "int", "count", "Sum of NumArticles."),
        Column("mentions", "int", "count", "Sum of NumMentions."),
        Column("sources", "int", "count", "Sum of NumSources."),
        Column("goldstein_sum", "float", "Goldstein points", "Sum of GoldsteinScale (-10..+10 "
               "per event)."),
        Column("goldstein_x_articles", "float", "Goldstein points × articles",
               "Sum of GoldsteinScale × NumArticles (article-weighted numerator)."),
        Column("tone_x_articles", "float", "tone points × articles", "Sum of AvgTone × "
               "NumArticles (article-weighted numerator; AvgTone is -100..+100, mostly -10..+10)."),
    ),
)

DAILY_TOTALS = Schema(
    name="daily totals",
    key=("date",),
    columns=(
        Column("date", "date", "day (UTC)", "Day, on the same date basis as the cube."),
        Column("total_events", "int", "count", "All GDELT events that day, any actors: the "
               "denominator for normalisation."),
        Column("total_articles", "int", "count", "Sum of NumArticles over all events that day."),
    ),
)


#: A DOC 2.0 timeline (:func:`toolkit.doc_timeline`), one row per step and series.
DOC_TIMELINE = Schema(
    name="DOC timeline",
    key=("date", "query", "mode", "series"),
    columns=(
        Column("date", "date", "UTC day", "day the step starts (naive datetime64, UTC)"),
        Column("query", "code", "", "registry name, NAME@MEDIA, or the raw DOC query text"),
        Column("mode", "code", "", "DOC timeline mode (see MODES)"),
        Column("series", "code", "", "API series: 'Volume Intensity', 'Average Tone', a "
                                     "country or a language"),
        Column("value", "float", "mode-specific", "volume % / article count / mean tone"),
        Column("norm", "float", "articles", "all articles monitored that step "
                                            "(timelinevolraw only; NaN otherwise)"),
    ),
)

#: A DOC 2.0 article list (:func:`toolkit.doc_articles`), one row per article.
DOC_ARTICLES = Schema(
    name="DOC articles",
    key=("url",),
    columns=(
        Column("seendate", "date", "UTC", "when GDELT first saw the article"),
        Column("query", "code", "", "registry name or raw query"),
        Column("url", "code", "", "article URL (unique)"),
        Column("title", "code", "", "headline"),
        Column("domain", "code", "", "outlet domain"),
        Column("language", "code", "", "language name"),
        Column("sourcecountry", "code", "", "country GDELT locates the outlet in (name)"),
        Column("url_mobile", "code", "", "mobile URL, often empty"),
        Column("socialimage", "code", "", "social-media preview image URL, often empty"),
    ),
)


class SchemaError(ValueError):
    """A frame does not match a toolkit table schema (missing or mistyped column)."""


def _kind_ok(series: pd.Series, kind: str) -> bool:
    dt = series.dtype
    if kind == "date":
        return pd.api.types.is_datetime64_any_dtype(dt) and getattr(dt, "tz", None) is None
    if kind == "code":
        return pd.api.types.is_string_dtype(dt) or (
            dt is np.dtype(object) and series.map(lambda v: isinstance(v, str)).all()
        )
    if kind == "int":
        return pd.api.types.is_integer_dtype(dt)
    if kind == "float":
        return pd.api.types.is_float_dtype(dt) or pd.api.types.is_integer_dtype(dt)
    raise AssertionError(kind)


def validate(df: pd.DataFrame, schema: Schema, *, where: str = "") -> pd.DataFrame:
    """Check that ``df`` has every column of ``schema`` with the right kind of dtype.

    Parameters
    ----------
    df : DataFrame
    schema : Schema
        :data:`CUBE` or :data:`DAILY_TOTALS`.
    where : str
        Where the frame came from, for the message (a path, a source name).

    Returns
    -------
    DataFrame
        ``df`` itself, so calls chain.

    Raises
    ------
    SchemaError
        Naming each missing column, or each column whose dtype is wrong, and the expected kind.

    Examples
    --------
    >>> import pandas as pd
    >>> validate(pd.DataFrame({"date": []}), DAILY_TOTALS)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    SchemaError: daily totals is missing column(s) total_events, total_articles
    """
    src = f" (from {where})" if where else ""
    missing = [c.name for c in schema.columns if c.name not in df.columns]
    if missing:
        raise SchemaError(
            f"{schema.name}{src} is missing column(s) {', '.join(missing)}; expected columns: "
            f"{', '.join(schema.names)}"
        )
    wrong = [
        f"{c.name} has dtype {df[c.name].dtype}, expected {c.kind} ({c.dtype})"
        for c in schema.columns
        if not _kind_ok(df[c.name], c.kind)
    ]
    if wrong:
        raise SchemaError(f"{schema.name}{src} has mistyped column(s): " + "; ".join(wrong))
    return df


def coerce(df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Return ``df`` restricted to the schema's columns, in order, with canonical dtypes.

    Dates become ``datetime64[ns]`` (naive, UTC days), codes pandas ``string``, counts int64.
    Use on frames whose values are right but whose dtypes came from a file format.
    """
    missing = [c for c in schema.names if c not in df.columns]
    if missing:
        validate(df, schema)  # raises with the full message
    out = {}
    for c in schema.columns:
        s = df[c.name]
        if c.kind == "date":
            s = pd.to_datetime(s)
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_convert("UTC").dt.tz_localize(None)
            s = s.astype("datetime64[ns]")
        elif c.kind == "code":
            s = s.astype("string")
        elif c.kind == "int":
            s = s.astype(np.int64)
        else:
            s = s.astype(np.float64)
        out[c.name] = s.to_numpy() if c.kind != "code" else s.array
    res = pd.DataFrame(out, index=pd.RangeIndex(len(df)))
    res.attrs.update(df.attrs)
    return res
