"""Benchmarks run by ``sangathan bench`` against a throw-away database (see docs/benchmarks.md).

They live inside the ``sangathan`` package so the installed console script can import them.
"""
