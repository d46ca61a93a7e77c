"""Every emulated endpoint, gathered from the per-resource route modules."""

from __future__ import annotations

from reconciler.sandbox import (
    routes_categories,
    routes_courses,
    routes_export,
    routes_groups,
    routes_import,
    routes_memberships,
)
from reconciler.sandbox.router import RouteSpec

ALL_ROUTES: list[RouteSpec] = [
    *routes_courses.ROUTES,
    *routes_categories.ROUTES,
    *routes_groups.ROUTES,
    *routes_memberships.ROUTES,
    *routes_import.ROUTES,
    *routes_export.ROUTES,
]
