"""Common Ground's test suite (a package, so ``from tests.support import ...`` works everywhere).

pytest puts the repository root first on the import path (``pythonpath = ["."]`` in
pyproject.toml), so this package wins over any stray top-level ``tests`` package that a
dependency installed into site-packages. tests/README.md is the map.
"""
