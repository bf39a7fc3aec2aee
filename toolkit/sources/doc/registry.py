"""The DOC query registry (``data/doc_queries.toml``) and how a query argument is resolved.

A query argument is either

* a **registry name** such as ``"rus-kor"``, optionally restricted to where the coverage was
  published with ``@MEDIA``: ``"rus-kor@russian"``. Names are lowercase slugs (letters,
  digits, ``-``, ``_``); a string of that shape that is not in the registry is an error (a
  typo never silently becomes a query for the word "rus-kro"); or
* a **raw DOC query** — anything else: it contains a space, a quote, a parenthesis, a colon or
  an upper-case letter, e.g. ``'"North Korea" Russia'`` or ``"Pyongyang"``. To send a single
  lower-case word as a raw query, quote it or capitalise it (the API is case-insensitive).

The registry file lists ``[queries.NAME]`` (``title``, ``query``, ``description``) and
``[media.NAME]`` (``sourcecountry`` FIPS codes and/or ``domain``). Users extend it by editing
the file or by pointing ``TOOLKIT_DOC_QUERIES`` at a TOML file of their own whose entries are
added to (and override) the built-in ones.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ...actors import FIPS_OF_FOCUS
from ...config import REPO_ROOT

#: The registry shipped with the toolkit.
DEFAULT_REGISTRY = REPO_ROOT / "data" / "doc_queries.toml"
_SLUG = r"[a-z0-9][a-z0-9_-]*"
NAME_RE = re.compile(rf"^(?P<name>{_SLUG})(?:@(?P<media>{_SLUG}))?$")
_FIPS_RE = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Media:
    """Where coverage was published: FIPS source countries and/or outlet domains."""

    name: str
    sourcecountry: tuple[str, ...] = ()
    domain: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class QuerySpec:
    """One resolved DOC query: the text sent to the API plus an optional media restriction.

    Attributes
    ----------
    label : str
        What the ``query`` column of result frames holds: ``NAME``, ``NAME@MEDIA`` or the raw
        query text (with ``@MEDIA`` appended when restricted).
    text : str
        The DOC query text (keywords and operators).
    name : str or None
        Registry name; None for a raw query.
    media : Media or None
        The restriction, if any.
    title : str
        Human label for charts.
    """

    label: str
    text: str
    name: str | None = None
    media: Media | None = None
    title: str = ""
    description: str = field(default="", compare=False)

    def filter_params(self, start: datetime, end: datetime, maxrecords: int = 250) -> dict:
        """Request parameters for [start, end] built with :class:`gdeltdoc.Filters`.

        Returns a dict with ``query``, ``startdatetime``, ``enddatetime`` and ``maxrecords``
        (``mode`` and ``format`` are added by the caller). ``requests`` URL-encodes them.
        """
        from gdeltdoc import Filters

        m = self.media
        # gdeltdoc wraps a list in "(a OR b)" even with one element, which the API rejects
        # ("Parentheses may only be used around OR'd statements"), so pass single values as str.
        def one_or_list(values: tuple[str, ...]):
            if not values:
                return None
            return values[0] if len(values) == 1 else list(values)

        f = Filters(start_date=_py(start), end_date=_py(end), num_records=maxrecords,
                    country=one_or_list(m.sourcecountry) if m else None,
                    domain=one_or_list(m.domain) if m else None)
        text, *rest = f.query_string.split("&")
        params = {"query": f"{self.text} {text}".strip()}
        for kv in rest:
            k, _, v = kv.partition("=")
            params[k] = v
        return params

    @property
    def key(self) -> str:
        """Stable cache-directory name: a readable slug plus a hash of what is sent."""
        m = self.media
        blob = "\x1f".join([self.text, ",".join(m.sourcecountry) if m else "",
                            ",".join(m.domain) if m else ""])
        h = hashlib.sha1(blob.encode()).hexdigest()[:10]
        slug = (self.name or "raw") + (f"@{m.name}" if m else "")
        return f"{slug}-{h}"


def _py(ts) -> datetime:
    # gdeltdoc.format_date tests `type(date) == datetime`, so a pandas Timestamp would fail
    import pandas as pd

    return pd.Timestamp(ts).to_pydatetime().replace(tzinfo=None)


@dataclass(frozen=True)
class Registry:
    """The loaded registry: named queries and media restrictions."""

    queries: dict[str, QuerySpec]
    media: dict[str, Media]
    paths: tuple[Path, ...]

    def resolve(self, query: str, media: str | None = None) -> QuerySpec:
        """Turn a query argument (registry name or raw DOC text) into a :class:`QuerySpec`.

        Raises
        ------
        ValueError
            Unknown query name or media name (listing the valid ones), or an empty query.
        """
        if not isinstance(query, str) or not query.strip():
            raise ValueError(f"query must be a registry name or DOC query text, got {query!r}; "
                             f"registry names: {', '.join(self.queries)}")
        q = query.strip()
        m = NAME_RE.match(q)
        if m:
            name = m["name"]
            if name not in self.queries:
                raise ValueError(
                    f"Unknown DOC query name {name!r}; registry names are: "
                    f"{', '.join(self.queries)} (defined in {', '.join(map(str, self.paths))}). "
                    "A raw DOC query needs a space, quote, parenthesis, colon or capital "
                    "letter, e.g. '\"North Korea\" Russia'.")
            if m["media"] and media and m["media"] != media:
                raise ValueError(f"query {q!r} names media {m['media']!r} but media={media!r}")
            media = m["media"] or media
            spec = self.queries[name]
        else:
            spec = QuerySpec(label=q, text=q, title=q)
        if media is None:
            return spec
        if media not in self.media:
            raise ValueError(f"Unknown media {media!r}; choose one of {', '.join(self.media)}")
        return QuerySpec(label=f"{spec.label}@{media}", text=spec.text, name=spec.name,
                         media=self.media[media], title=f"{spec.title} ({media} media)",
                         description=spec.description)


def _tuple(value, where: str, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{where}: {what} must be a string or a list of strings")
    return tuple(value)


def _parse(doc: dict, path: Path, queries: dict, media: dict) -> None:
    for name, entry in (doc.get("queries") or {}).items():
        where = f"{path}: [queries.{name}]"
        if not re.fullmatch(_SLUG, name):
            raise ValueError(f"{where}: names must be lowercase letters, digits, '-' or '_'")
        text = entry.get("query") if isinstance(entry, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where} needs a non-empty `query` string")
        if re.search(r"\bOR\b", text) and "(" not in text:
            raise ValueError(f"{where}: OR'd terms must be inside parentheses, e.g. (a OR b)")
        queries[name] = QuerySpec(label=name, text=" ".join(text.split()), name=name,
                                  title=entry.get("title", name),
                                  description=" ".join(entry.get("description", "").split()))
    for name, entry in (doc.get("media") or {}).items():
        where = f"{path}: [media.{name}]"
        if not re.fullmatch(_SLUG, name) or not isinstance(entry, dict):
            raise ValueError(f"{where}: names must be lowercase letters, digits, '-' or '_'")
        sc = _tuple(entry.get("sourcecountry"), where, "sourcecountry")
        for code in sc:
            if not _FIPS_RE.match(code):
                hint = (f" ({code} is a CAMEO actor code; the FIPS code is "
                        f"{FIPS_OF_FOCUS[code]})" if code in FIPS_OF_FOCUS else "")
                raise ValueError(f"{where}: sourcecountry {code!r} is not a 2-letter FIPS "
                                 f"country code{hint}")
        dom = _tuple(entry.get("domain"), where, "domain")
        if not sc and not dom:
            raise ValueError(f"{where} needs `sourcecountry` and/or `domain`")
        media[name] = Media(name=name, sourcecountry=sc, domain=dom,
                            description=" ".join(entry.get("description", "").split()))


def load_registry(path: str | os.PathLike | None = None) -> Registry:
    """Load the query registry.

    Parameters
    ----------
    path : path, optional
        A registry file used INSTEAD of the default ``data/doc_queries.toml``. Without it,
        the default file is read and then ``TOOLKIT_DOC_QUERIES`` (if set) is layered on top.

    Examples
    --------
    >>> reg = load_registry()
    >>> reg.resolve("rus-kor@russian").label
    'rus-kor@russian'
    """
    paths = [Path(path)] if path is not None else [DEFAULT_REGISTRY]
    extra = os.environ.get("TOOLKIT_DOC_QUERIES")
    if path is None and extra:
        paths.append(Path(extra).expanduser())
    queries: dict[str, QuerySpec] = {}
    media: dict[str, Media] = {}
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(f"DOC query registry {p} does not exist")
        try:
            doc = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{p} is not valid TOML: {exc}") from None
        _parse(doc, p, queries, media)
    return Registry(queries=queries, media=media, paths=tuple(paths))
