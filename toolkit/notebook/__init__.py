"""The JupyterLab layer: what notebooks call, on top of the core library.

The core flows sources -> cube -> indices -> analysis -> charts; this package uses it and is
used by nothing in it.

- :mod:`toolkit.notebook.helpers`: choosing the data a notebook analyses, data-handling and
  conclusion texts (``from toolkit.notebook import helpers as nh``);
- :mod:`toolkit.notebook.display`: :func:`toolkit.show`, a figure shown inline and exported;
- :mod:`toolkit.notebook.explorer` and :mod:`~toolkit.notebook.explorer_events`:
  :func:`toolkit.explore`, the interactive explorer with its click-to-events list;
- :mod:`toolkit.notebook.report`: executing the notebooks into ``reports/`` (``make report``).
"""
