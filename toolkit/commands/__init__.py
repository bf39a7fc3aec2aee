"""CLI subcommands, one module per area (see :mod:`toolkit.cli`)."""
