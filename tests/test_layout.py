"""The house rules of the package layout (issue #17), checked on the source text.

The core library flows one way, sources -> cube -> indices -> analysis -> charts, with the
vocabulary (dates, schema, actors, config, store) at the bottom and the JupyterLab layer and
the CLI on top. A module may import modules of its own layer or below, never above, and no
chain of imports may come back to where it started (function-level imports included: they
are circles too, only deferred).
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import toolkit

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "toolkit"

#: Bottom to top. A module's layer is that of the longest prefix listed.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("vocabulary", ("toolkit._version", "toolkit._lazy", "toolkit.errors", "toolkit.config",
                    "toolkit.dates", "toolkit.schema", "toolkit.actors", "toolkit.cameo_codes",
                    "toolkit.cameo", "toolkit.speakers")),
    ("storage", ("toolkit.store",)),
    ("cube definition", ("toolkit.aggregate",)),
    ("sources", ("toolkit.sources",)),
    ("cube", ("toolkit.cube",)),
    ("derived data", ("toolkit.daily_coverage", "toolkit.milestones", "toolkit.indices",
                      "toolkit.event_rows")),
    ("analysis", ("toolkit.analysis", "toolkit.explainer")),
    ("charts", ("toolkit.charts",)),
    ("notebook", ("toolkit.notebook",)),
    ("interfaces", ("toolkit.cli", "toolkit.commands", "toolkit.__main__", "toolkit")),
]

#: Old paths kept as warning aliases of their new modules (they import upwards on purpose).
MOVED = {
    "toolkit.notebook_helpers": "toolkit.notebook.helpers",
    "toolkit.display": "toolkit.notebook.display",
    "toolkit.explorer": "toolkit.notebook.explorer",
    "toolkit.report": "toolkit.notebook.report",
    "toolkit.sources.bigquery_sizes": "toolkit.sources.bigquery.sizes",
}

#: The only imports from one source into another: BigQuery's byte model reads the Events
#: column list; the DOC source serves the demo's synthetic DOC timelines.
CROSS_SOURCE = {("bigquery", "events"), ("doc", "demo")}

#: What ``toolkit`` offered before the re-layout; the public API must not change.
PUBLIC = ["__version__", "load_cube", "load_daily_totals", "parse_date", "coverage", "show",
          "explore", "fetch_events", "doc_timeline", "doc_articles", "load_doc_timelines",
          "load_milestones", "compute_index", "compute_indices", "export_figure",
          "bigquery_sql", "segmented_regression", "count_model", "event_study", "chow_test",
          "break_search", "granger", "stl_decompose", "estimate_bigquery", "fetch_bigquery",
          "load_events", "fetch_bigquery_events", "explain"]
#: ... and the CLI's subcommands.
COMMANDS = {"cube", "fetch", "bigquery", "doc", "events", "report"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _graph() -> dict[str, set[str]]:
    """Module -> the toolkit modules it imports (anywhere in its text)."""
    files = {_module_name(p): p for p in PKG.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for mod, path in files.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                names = [f"{target}.{a.name}" for a in node.names]
                deps.update(n if n in files else target for n in names)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
        graph[mod] = {d for d in deps if d in files and d != mod}
    return graph


def _layer(mod: str) -> int:
    best, layer = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (mod == p or mod.startswith(p + ".")) and len(p) > best:
                best, layer = len(p), i
    assert layer is not None, f"{mod} is in no layer: add it to LAYERS in {__file__}"
    return layer


def test_every_module_has_a_layer():
    for mod in _graph():
        _layer(mod)


def test_no_module_imports_one_above_it_in_the_flow():
    bad = [f"{m} ({LAYERS[_layer(m)][0]}) imports {d} ({LAYERS[_layer(d)][0]})"
           for m, deps in _graph().items() if m not in MOVED
           for d in sorted(deps) if _layer(d) > _layer(m)]
    assert not bad, "imports against the flow:\n" + "\n".join(bad)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_circle():
    assert _cycles(_graph()) == []


def test_the_circle_check_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_sources_import_each_other_only_where_documented():
    found = set()
    for m, deps in _graph().items():
        if m.startswith("toolkit.sources.") and m not in MOVED:
            for d in deps:
                a, b = m.split(".")[2], d.split(".")
                if d.startswith("toolkit.sources.") and b[2] not in (a, "http"):
                    found.add((a, b[2]))
    assert found <= CROSS_SOURCE, f"new imports between sources: {found - CROSS_SOURCE}"


@pytest.mark.parametrize("source", ["events", "doc", "bigquery", "demo"])
def test_each_source_says_what_it_is_its_functions_and_its_cache(source):
    mod = importlib.import_module(f"toolkit.sources.{source}")
    doc = mod.__doc__ or ""
    assert "Public functions" in doc
    assert "Cache:" in doc or "Data:" in doc
    for name in mod.__all__:  # every re-exported name resolves
        assert getattr(mod, name) is not None, f"toolkit.sources.{source}.{name}"


def test_no_test_server_in_the_shipped_package():
    for path in PKG.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "http.server" not in text, f"{path.relative_to(REPO)} serves HTTP: tests/ only"
        assert "testserver" not in path.name


def test_public_api_is_unchanged():
    assert toolkit.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(toolkit, name) is not None


def test_cli_commands_are_unchanged():
    out = subprocess.run([sys.executable, "-m", "toolkit", "--help"], capture_output=True,
                         text=True, check=True).stdout
    listed = re.findall(r"^    (\w+) {2,}\S", out, re.M)  # "    fetch        download ..."
    assert set(listed) == COMMANDS, out


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_paths_warn_and_give_the_new_module(old):
    code = (f"import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
            f"try:\n    import {old}\nexcept DeprecationWarning as w:\n    print(w)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert f"{old} moved to {MOVED[old]}" in out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert importlib.import_module(old) is importlib.import_module(MOVED[old])


def test_docs_list_every_moved_module():
    text = (REPO / "docs" / "layout.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([\w.]+)` \| `([\w.]+)` \|$", text, re.M))
    assert {k: v for k, v in rows.items() if not k.endswith(".plot_*")} == MOVED
