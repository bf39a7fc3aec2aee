"""The toolkit's version (one place; ``toolkit.__version__`` reads it)."""

__version__ = "0.1.0"
