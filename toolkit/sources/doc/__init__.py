"""The GDELT DOC 2.0 API: coverage volume and tone timelines, and article lists.

What it is: GDELT's full-text search over the world's online news (last ~8 years), asked
through ``api.gdeltproject.org/api/v2/doc/doc`` (or ``GDELT_DOC_URL``) with the queries of the
registry (``data/doc_queries.toml``), paced to GDELT's one request per 5 seconds across
processes.

Public functions: :func:`doc_timeline`, :func:`doc_articles`, :func:`load_doc_timelines`,
:func:`load_registry`.

Cache: ``<data dir>/doc/<mode>/<query key>/<window>.json``, one validated answer per window
(:mod:`toolkit.sources.doc.cache`), and the shared pacing state ``<data dir>/doc/pace.json``.

Modules: ``query`` (the public functions: windows, cache-first fetching), ``answers``
(validation and parsing of the API's answers), ``client`` (HTTP, errors, retries), ``pacing``
(the cross-process pace), ``cache``, ``registry`` (named queries).
"""

from ..._lazy import lazy_exports

_EXPORTS = {
    "doc_timeline": "toolkit.sources.doc.query",
    "doc_articles": "toolkit.sources.doc.query",
    "load_doc_timelines": "toolkit.sources.doc.query",
    "validate_answer": "toolkit.sources.doc.answers",
    "parse_timeline": "toolkit.sources.doc.answers",
    "parse_articles": "toolkit.sources.doc.answers",
    "timeline_windows": "toolkit.sources.doc.query",
    "TIMELINE": "toolkit.sources.doc.answers",
    "ARTICLES": "toolkit.sources.doc.answers",
    "load_registry": "toolkit.sources.doc.registry",
    "QuerySpec": "toolkit.sources.doc.registry",
    "DocClient": "toolkit.sources.doc.client",
    "DocError": "toolkit.sources.doc.client",
    "DocHTTPError": "toolkit.sources.doc.client",
    "DocRateLimitError": "toolkit.sources.doc.client",
    "DocQueryError": "toolkit.sources.doc.client",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
