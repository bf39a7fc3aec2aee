"""Export of figures to .html, .png, .svg or .pdf, written atomically with a provenance sidecar.

:func:`export_figure` writes .html with plotly alone; the static formats go through kaleido,
which drives a headless Chrome/Chromium started once per process (:func:`find_browser` says
which one); without one it raises ``RuntimeError`` with :data:`CHROME_HELP`, which says how to
install one and that .html works without it.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from datetime import UTC, datetime
from pathlib import Path

import plotly.graph_objects as go

from .._version import __version__


def export_figure(fig: go.Figure, path: str | os.PathLike, *, width: int = 1200,
                  height: int | None = None, scale: float = 2.0,
                  include_plotlyjs: bool | str = True,
                  sidecar: dict | bool | None = None) -> Path:
    """Write ``fig`` to .html, .png, .svg or .pdf (chosen by the file suffix), atomically.

    Parameters
    ----------
    fig : Figure
    path : path
        Target file; its suffix chooses the format.
    width, height : int
        Image size in CSS pixels for static formats (height defaults to the figure's own
        ``layout.height`` or 650).
    scale : float
        Pixel density multiplier for .png (2 gives a 2400 × 1300 PNG at 1200 × 650).
    include_plotlyjs : bool, "cdn" or str
        For .html: True embeds plotly.js (self-contained, works offline, ~4.8 MB: the file to
        e-mail); a path ending in ``.js`` (e.g. ``"../plotly.min.js"``) loads a local copy
        shared by several files, relative to the file (what ``make report`` does); "cdn" gives
        a small file that needs the internet to render.
    sidecar : dict or bool, optional
        Write provenance beside the figure as ``<path>.json``: the figure's
        ``layout.meta["provenance"]`` (source, range, toolkit version) plus ``figure``,
        ``format``, ``generated_at`` (UTC) and whatever the dict adds. True = just that.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    RuntimeError
        For static formats when no Chrome/Chromium is installed (kaleido needs one); the
        message says how to install it and that .html export works without it.
    ValueError
        For an unsupported suffix or a non-positive size.

    Examples
    --------
    >>> export_figure(fig, "figures/volume.html", sidecar=True)  # doctest: +SKIP
    >>> export_figure(fig, "figures/volume.png", width=1600, height=900, scale=1)  # doctest: +SKIP
    """
    path = Path(path)
    suffix = path.suffix.lower()
    static = (".png", ".svg", ".pdf", ".jpg", ".jpeg", ".webp")
    if suffix not in (".html", *static):
        raise ValueError(f"Cannot export to {suffix or 'a file without suffix'!r}; use .html, "
                         ".png, .svg or .pdf")
    if height is None:
        height = int(fig.layout.height) if fig.layout.height else 650
    if width <= 0 or height <= 0 or scale <= 0:
        raise ValueError(f"width, height and scale must be positive (got {width}, {height}, "
                         f"{scale})")
    shared = isinstance(include_plotlyjs, str) and include_plotlyjs.endswith(".js")
    if include_plotlyjs not in (True, False, "cdn") and not shared:
        raise ValueError(f"include_plotlyjs={include_plotlyjs!r}; choose True (embed), a local "
                         "'path/plotly.min.js' relative to the file, or 'cdn'")
    from ..store import atomic_path

    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        with atomic_path(path) as tmp:
            fig.write_html(tmp, include_plotlyjs=include_plotlyjs, full_html=True,
                           config={"displaylogo": False})
    else:
        _check_chrome()
        data = _render(fig, suffix[1:], width, height, scale if suffix != ".svg" else 1)
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    if sidecar:
        meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
        info = {"figure": path.name, "format": suffix[1:],
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "toolkit_version": __version__, **meta.get("provenance", {}),
                **(sidecar if isinstance(sidecar, dict) else {})}
        if suffix != ".html":
            info.update({"width": width, "height": height, "scale": scale})
        with atomic_path(path.with_suffix(path.suffix + ".json")) as tmp:
            tmp.write_text(json.dumps(info, indent=2, default=str), encoding="utf-8")
    return path


_kaleido = {"started": False}

#: Message when no browser is available for static export.
CHROME_HELP = (
    "Static image export (.png/.svg/.pdf) needs Chrome or Chromium for kaleido, and none was "
    "found. Install one: `sudo apt-get install chromium` (Debian/Ubuntu), `brew install "
    "--cask chromium` (macOS), or run `plotly_get_chrome` (downloads Chrome; needs the "
    "internet); or set BROWSER_PATH to a Chrome/Chromium binary. Exporting to .html works "
    "without it: export_figure(fig, 'figure.html')."
)

_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                  "chrome", "msedge")


def find_browser() -> str | None:
    """Path of the Chrome/Chromium kaleido will use, or None (BROWSER_PATH, PATH, kaleido's own)."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in _BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    try:  # a Chrome downloaded by plotly_get_chrome / kaleido_get_chrome
        from choreographer.cli._cli_utils import get_chrome_download_path

        p = get_chrome_download_path(mkdir=False)
        if p is not None and Path(p).exists():
            return str(p)
    except Exception:  # noqa: BLE001 - best effort; kaleido's own error is translated below
        pass
    return None


def _check_chrome() -> None:
    if find_browser() is None:
        raise RuntimeError(CHROME_HELP)


def _render(fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
    import kaleido
    from choreographer.errors import ChromeNotFoundError

    try:
        if not _kaleido["started"]:
            # one persistent headless browser per process: ~0.5 s per image instead of ~5 s
            kaleido.start_sync_server(silence_warnings=True)
            _kaleido["started"] = True
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return fig.to_image(format=fmt, width=width, height=height, scale=scale)
    except ChromeNotFoundError as exc:
        raise RuntimeError(f"{CHROME_HELP} (kaleido: {exc})") from None


__all__ = ["export_figure", "find_browser", "CHROME_HELP"]
