"""reconciler: keep Canvas LMS group sets, groups and memberships in line with a YAML spec."""

__version__ = "0.1.0"
