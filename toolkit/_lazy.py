"""Lazy re-exports for package ``__init__`` modules (PEP 562).

A package lists where each public name lives; the module is imported on first use, so that
``import toolkit`` (or ``import toolkit.sources.events``) stays fast and optional parts
(BigQuery, DOC) import only when used.

Examples
--------
>>> __getattr__, __dir__ = lazy_exports(__name__, {"load_cube": "toolkit.cube"})  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` that resolve ``exports`` (name -> module) lazily.

    Parameters
    ----------
    package
        The package's ``__name__``.
    exports
        Public name -> dotted module that defines it.

    Returns
    -------
    (getattr, dir)
        Assign them to the package's ``__getattr__`` and ``__dir__``.
    """

    def __getattr__(name: str) -> Any:
        mod = exports.get(name)
        if mod is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(mod), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(exports) | set(vars(sys.modules[package])))

    return __getattr__, __dir__


def lazy_submodules(package: str, groups: Mapping[str, tuple[str, ...]]
                    ) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """``__all__``, ``__getattr__`` and ``__dir__`` of a package that re-exports its submodules.

    Parameters
    ----------
    package
        The package's ``__name__``.
    groups
        Submodule name (relative, e.g. ``"fetch"``) -> the public names it defines.

    Examples
    --------
    >>> __all__, __getattr__, __dir__ = lazy_submodules(  # doctest: +SKIP
    ...     __name__, {"fetch": ("fetch_events",), "mentions": ("read_mentions",)})
    """
    exports = {name: f"{package}.{mod}" for mod, names in groups.items() for name in names}
    return [*exports], *lazy_exports(package, exports)


def moved_module(old: str, new: str) -> None:
    """Make the module ``old`` an alias of ``new``, with a DeprecationWarning at import.

    Called from the one-line module left at an old path, so that code written for the earlier
    layout (``from toolkit import notebook_helpers``) keeps working and is told where to go.
    """
    warnings.warn(f"{old} moved to {new}; import it from there ({old} will be removed)",
                  DeprecationWarning, stacklevel=3)
    sys.modules[old] = importlib.import_module(new)
