"""Deprecated: moved to :mod:`toolkit.notebook.explorer` (this alias warns and will be removed)."""

from ._lazy import moved_module

moved_module(__name__, "toolkit.notebook.explorer")
