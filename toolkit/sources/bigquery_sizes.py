"""Deprecated: moved to :mod:`toolkit.sources.bigquery.sizes` (this alias warns)."""

from .._lazy import moved_module

moved_module(__name__, "toolkit.sources.bigquery.sizes")
