"""Paths, URLs and environment variables, in one place.

Every setting has a documented environment variable so that notebooks, the CLI and the
tests can point the toolkit somewhere else without code changes.

=========================  ===============================================  ======================
variable                   meaning                                          default
=========================  ===============================================  ======================
``TOOLKIT_DATA_DIR``       local cache (downloads, parquet, DOC responses)  ``<repo>/data/cache``
``TOOLKIT_DEMO_DIR``       embedded synthetic demo data                     ``<repo>/data/demo``
``TOOLKIT_SOURCE``         default data source for notebooks / report       ``auto``
``TOOLKIT_FIGURES_DIR``    where :func:`toolkit.show` also saves figures    unset (display only)
``GDELT_BASE_URL``         GDELT file server (Events 1.0/2.0 products)      GDELT's own
``GDELT_DOC_URL``          DOC 2.0 API endpoint                             GDELT's own
=========================  ===============================================  ======================
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The checkout the package lives in (editable install); data/ sits beside toolkit/.
REPO_ROOT = PACKAGE_DIR.parent

DEFAULT_GDELT_BASE_URL = "http://data.gdeltproject.org"
DEFAULT_DOC_URL = "https://api.gdeltproject.org/api/v2/doc/doc"

#: The data sources that :func:`toolkit.load_cube` understands.
SOURCES = ("auto", "demo", "local", "bigquery")


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """Return the local cache directory (created on first use).

    Parameters
    ----------
    path : str or PathLike, optional
        Explicit directory; wins over ``TOOLKIT_DATA_DIR`` and the default ``data/cache``.
    """
    if path is None:
        path = os.environ.get("TOOLKIT_DATA_DIR") or REPO_ROOT / "data" / "cache"
    p = Path(path).expanduser()
    p.mkdir(parents=True, exist_ok=True)
    return p


def demo_dir() -> Path:
    """Directory of the embedded synthetic demo data (``data/demo`` unless overridden)."""
    return Path(os.environ.get("TOOLKIT_DEMO_DIR") or REPO_ROOT / "data" / "demo")


def gdelt_base_url(url: str | None = None) -> str:
    """GDELT file server root, without trailing slash (argument > env > default)."""
    return (url or os.environ.get("GDELT_BASE_URL") or DEFAULT_GDELT_BASE_URL).rstrip("/")


def doc_url(url: str | None = None) -> str:
    """DOC 2.0 API endpoint (argument > env > default)."""
    return url or os.environ.get("GDELT_DOC_URL") or DEFAULT_DOC_URL


def default_source() -> str:
    """The source notebooks use when not told otherwise (``TOOLKIT_SOURCE`` or ``auto``)."""
    src = os.environ.get("TOOLKIT_SOURCE", "auto").strip().lower() or "auto"
    if src not in SOURCES:
        raise ValueError(
            f"TOOLKIT_SOURCE={src!r} is not a known source; choose one of {', '.join(SOURCES)}"
        )
    return src
