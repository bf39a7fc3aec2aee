"""The toolkit's exception types, shared by the library and the command line.

Two kinds of failure, told apart by the exit status of ``toolkit ...``:

* bad input (an unknown product, a malformed date, a reversed range, a flag out of range) is a
  :class:`ValueError`: the CLI prints it as one line and exits 2;
* anything else that stops a command, a fetch that failed, a cache file that is damaged, a
  server that is unreachable, is a :class:`ToolkitError`: one line, exit 1.

Messages say what to do next and name the file or URL concerned. The CLI never shows a
traceback for either kind.
"""

from __future__ import annotations


class ToolkitError(RuntimeError):
    """A failure that is not bad input; the CLI reports it as one line and exit status 1."""


class CacheCorrupt(ToolkitError):
    """A cache file (manifest, coverage, state, parquet) cannot be read.

    The message names the file and says how to repair it (usually: delete it and rerun, the
    run rebuilds it from what is stored or fetches it again).
    """
