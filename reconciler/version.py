"""The version, in a module of its own so that any layer may read it without importing
the package (whose __init__ re-exports the library API)."""

__version__ = "0.1.0"
