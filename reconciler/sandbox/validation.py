"""Parameter handling and model validations for categories and groups (Q-SET-NAMES,
Q-RESERVED-NAMES, Q-NAME-RULES, Q-LIMIT-MIN, Q-SETTING-COERCE, Q-IS-PUBLIC, Q-SIS-UNIQUE;
docs/canvas-quirks.md).

- Category: name required, not reserved ("Student Groups", "Imported Groups"), unique among
  active categories of the course, length <= 255 minus (digits of create_group_count + 1);
  group_limit > 1; invalid self_signup / auto_leader values silently become null
  (`GroupCategories::ParamsPolicy`); on update the three settings are always (re)set.
- Group: name required when given as "" (omitted → a generated uuid-like name), <= 255;
  max_membership > 1. Names are not unique. `is_public` is saved false unless the category
  is `communities` (G `ensure_defaults`), so course groups are always private; the
  false → true-only rule (`validates_allowed_transitions`, "cannot be changed to that
  value", lib/custom_validations.rb) is checked on the value that would be saved, so it only
  bites a public community group.
- SIS ids unique per root account, error on `sis_source_id` (400, per the brief and
  G-API-SPEC; Canvas's category path may answer 422 — see docs/emulator.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.sandbox.entities import Group, GroupCategory
from reconciler.sandbox.errors import ApiError, validation_entry, validation_error
from reconciler.sandbox.http import Params, to_bool
from reconciler.sandbox.state import EmulatorState

RESERVED_COURSE_NAMES = ("Student Groups", "Imported Groups")
MAX_NAME = 255
SELF_SIGNUP = ("enabled", "restricted")
AUTO_LEADER = ("first", "random")
MAX_NEW_GROUPS = 200


@dataclass
class CategorySettings:
    name: str | None
    self_signup: str | None
    auto_leader: str | None
    group_limit: int | None


def category_settings(params: Params) -> CategorySettings:
    self_signup = params.get("self_signup")
    if self_signup is None and params.get_bool("enable_self_signup"):
        self_signup = "restricted" if params.get_bool("restrict_self_signup") else "enabled"
    auto_leader = params.get("auto_leader")
    if auto_leader is None and params.get_bool("enable_auto_leader"):
        auto_leader = params.get("auto_leader_type")
    return CategorySettings(
        name=params.get("name"),
        self_signup=self_signup if self_signup in SELF_SIGNUP else None,
        auto_leader=auto_leader if auto_leader in AUTO_LEADER else None,
        group_limit=params.get_int("group_limit"),
    )


def check_category(state: EmulatorState, course_id: int, settings: CategorySettings,
                   *, existing: GroupCategory | None, create_count: int | None) -> None:
    errors: dict[str, str] = {}
    name = settings.name if settings.name is not None or existing is None else existing.name
    name_error = _category_name_error(state, course_id, name, existing, create_count)
    if name_error:
        errors["name"] = name_error
    if settings.group_limit is not None and settings.group_limit <= 1:
        errors["group_limit"] = "Must be greater than 1"
    if errors:
        raise validation_error(errors)


def _category_name_error(state: EmulatorState, course_id: int, name: str | None,
                         existing: GroupCategory | None, create_count: int | None) -> str | None:
    if name is None or not name.strip():
        return "Name is required"
    if name in RESERVED_COURSE_NAMES and (existing is None or existing.name != name):
        return f"{name} is a reserved name."
    clash = state.category_by_name(course_id, name)
    if clash is not None and (existing is None or clash.id != existing.id):
        return f"{name} is already in use."
    limit = MAX_NAME - (len(str(create_count)) + 1 if create_count else 0)
    return "Enter a shorter category name" if len(name) > limit else None


def saved_is_public(category: GroupCategory, requested: str | None, current: bool) -> bool:
    """G `ensure_defaults`: the value sent (else the current one), forced false unless the
    group is a community group."""
    value = current if requested is None else to_bool(requested)
    return value and category.role == "communities"


def check_group(params: Params, existing: Group | None, category: GroupCategory) -> None:
    errors: dict[str, str] = {}
    name = params.get("name")
    if name is not None and not name.strip():
        errors["name"] = "Name is required"
    elif name is not None and len(name) > MAX_NAME:
        errors["name"] = "Enter a shorter group name"
    limit = params.get_int("max_membership")
    if limit is not None and limit <= 1:
        errors["max_membership"] = "Must be greater than 1"
    if existing is not None and existing.is_public and not saved_is_public(
            category, params.get("is_public"), existing.is_public):
        errors["is_public"] = "cannot be changed to that value"
    if errors:
        raise validation_error(errors)


def check_sis_id(state: EmulatorState, table: str, sis_id: str | None, own_id: int | None) -> None:
    """SIS ids are unique per root account within a table (categories, groups)."""
    if not sis_id:
        return
    rows = state.t.categories if table == "categories" else state.t.groups
    if any(row.sis_id == sis_id and row.id != own_id for row in rows.values()):
        entry = validation_entry("sis_source_id", "has already been taken", "taken")
        raise ApiError(400, {"errors": {"sis_source_id": [entry]}})


def singularize(name: str) -> str:
    """Enough of ActiveSupport's `singularize` for group-set names."""
    for plural, single in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"),
                           ("xes", "x")):
        if name.endswith(plural):
            return name[: -len(plural)] + single
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name
