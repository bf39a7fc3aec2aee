"""The embedded SYNTHETIC demo data: NOT GDELT data.

What it is: a deterministic generator (fixed seed) of a dyad cube and daily totals for
2017-01-01 .. 2026-10-31 with planted effects at named milestones, the events behind each
cube cell, and DOC-style coverage timelines, so that the notebooks, the report and the tests
run offline and the methods can be shown finding effects of known size and date. Everything
read from it carries ``attrs["synthetic"] is True``.

Public functions: :func:`read_cube`, :func:`read_totals`, :func:`planted_effects`,
:func:`metadata`, :func:`events_from_cube`; :data:`PLANTED_EFFECTS`.

Data: committed parquet files in ``data/demo/`` (regenerate with
``python scripts/make_demo_data.py``); nothing is cached.

Modules: ``cube`` (cube and totals), ``events`` (events behind a cell), ``doc`` (DOC timelines).
"""

from ..._lazy import lazy_submodules

__all__, __getattr__, __dir__ = lazy_submodules(__name__, {
    "cube": (
        "read_cube", "read_totals", "planted_effects", "metadata", "generate", "write",
        "PLANTED_EFFECTS", "DEMO_NOTE", "SEED", "START", "END", "ACTORS"),
    "events": ("events_from_cube",),
})
