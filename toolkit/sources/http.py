"""HTTP details shared by every downloader (GDELT files, DOC API): User-Agent, Retry-After."""

from __future__ import annotations

import email.utils
import time

from .._version import __version__

#: Sent with every request; GDELT throttles anonymous clients harder (gdeltdoc #22).
USER_AGENT = f"gdelt-rhetoric-toolkit/{__version__} (research; python-requests)"


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None.

    Examples
    --------
    >>> retry_after_seconds("7")
    7.0
    >>> retry_after_seconds("soon") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
