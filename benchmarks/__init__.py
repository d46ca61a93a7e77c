"""Benchmarks run by hand; they print figures and are never timed in tests.

Run from the repository root as modules, e.g. `python -m benchmarks.bench_sync`.
Figures and how to read them: docs/performance.md.
"""
