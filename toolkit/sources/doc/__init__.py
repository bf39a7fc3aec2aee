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

from ..._lazy import lazy_submodules

__all__, __getattr__, __dir__ = lazy_submodules(__name__, {
    "query": ("doc_timeline", "doc_articles", "load_doc_timelines", "timeline_windows"),
    "answers": ("validate_answer", "parse_timeline", "parse_articles", "TIMELINE", "ARTICLES"),
    "registry": ("load_registry", "QuerySpec"),
    "client": ("DocClient", "DocError", "DocHTTPError", "DocRateLimitError", "DocQueryError"),
})
