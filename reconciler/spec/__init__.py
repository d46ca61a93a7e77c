"""YAML spec -> desired CourseState: safe loading with locations, schema, semantic checks,
identity resolution, and export of a live course back to a spec."""

from reconciler.spec.advice import warnings
from reconciler.spec.assign import assign_members, seed_marker
from reconciler.spec.export import export_spec
from reconciler.spec.loader import Spec, load, load_data, load_text
from reconciler.spec.resolve import STUDENT_ROLES, member_labels, resolve
from reconciler.spec.schema import SpecFile, json_schema

__all__ = [
    "STUDENT_ROLES",
    "Spec",
    "SpecFile",
    "assign_members",
    "export_spec",
    "json_schema",
    "load",
    "load_data",
    "load_text",
    "member_labels",
    "resolve",
    "seed_marker",
    "warnings",
]
