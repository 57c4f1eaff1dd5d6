"""Masthead's benchmarks: ``python -m bench`` (``make bench``) prints a table and writes results/latest.json."""
