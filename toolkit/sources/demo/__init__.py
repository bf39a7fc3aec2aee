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

from ..._lazy import lazy_exports

_EXPORTS = {
    "read_cube": "toolkit.sources.demo.cube",
    "read_totals": "toolkit.sources.demo.cube",
    "planted_effects": "toolkit.sources.demo.cube",
    "metadata": "toolkit.sources.demo.cube",
    "generate": "toolkit.sources.demo.cube",
    "write": "toolkit.sources.demo.cube",
    "PLANTED_EFFECTS": "toolkit.sources.demo.cube",
    "DEMO_NOTE": "toolkit.sources.demo.cube",
    "SEED": "toolkit.sources.demo.cube",
    "START": "toolkit.sources.demo.cube",
    "END": "toolkit.sources.demo.cube",
    "ACTORS": "toolkit.sources.demo.cube",
    "events_from_cube": "toolkit.sources.demo.events",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
