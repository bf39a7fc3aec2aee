"""Small test helpers shared by several test modules."""

from __future__ import annotations

from pathlib import Path


def png_stats(path: Path) -> tuple[tuple[int, int], int]:
    """Return ((width, height), number of distinct colours) of a PNG file."""
    from PIL import Image

    with Image.open(path) as im:
        im = im.convert("RGB")
        colours = im.getcolors(maxcolors=1 << 24) or []
        return im.size, len(colours)


def assert_png_not_blank(path: Path, min_colours: int = 16) -> tuple[int, int]:
    """Assert that ``path`` is a PNG with real content (not one flat colour); returns size."""
    assert path.exists() and path.stat().st_size > 1000, f"{path} missing or tiny"
    size, n = png_stats(path)
    assert n >= min_colours, f"{path} looks blank: {n} distinct colours"
    return size


def browser_found() -> bool:
    """True when kaleido has a Chrome/Chromium for static export (PNG/SVG/PDF)."""
    from toolkit.charts import find_browser

    return find_browser() is not None


#: Reason of every skip for want of a browser (CI installs Debian chromium, so it runs them).
NO_BROWSER = ("no Chrome/Chromium for kaleido on this machine (static PNG/SVG/PDF export needs "
              "one; `sudo apt-get install chromium`); CI installs chromium and runs this test")


def needs_browser(func):
    """Skip the test, with :data:`NO_BROWSER` as the reason, when no browser is found."""
    import pytest

    return pytest.mark.skipif(not browser_found(), reason=NO_BROWSER)(func)
