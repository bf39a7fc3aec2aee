"""Plotly figures with milestone overlays, captions and export (being split by purpose)."""

from .figures import *  # noqa: F403
from .figures import __all__, _kaleido  # noqa: F401
