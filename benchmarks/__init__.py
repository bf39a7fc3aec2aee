"""Benchmarks: ``make bench`` runs every ``benchmarks/bench_*.py``.

Each module defines ``main() -> dict`` that measures the toolkit against a baseline run in the
same process and returns its figures (ratios, not absolute times, are the targets). Results are
printed and written to ``benchmarks/results/<name>.json``.
"""
