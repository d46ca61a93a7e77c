"""The spec file's shape as pydantic models (version 1): the source of the JSON Schema.

Names, descriptions, SIS ids and member identifiers are read as the text the file holds
(see yamlsrc), so they are strict strings here; the JSON Schema still allows a bare number
for them because an editor sees the YAML before that conversion.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StrictInt, StrictStr, Tag
from pydantic.json_schema import WithJsonSchema

from reconciler.model import (
    MEMBER_KINDS,
    AutoLeader,
    JoinLevel,
    MemberKind,
    MembersMode,
    SelfSignup,
    UnmanagedGroups,
)

RESERVED_SET_NAMES = frozenset({"Student Groups", "Imported Groups"})
MAX_NAME = 255
_STATE = "absent deletes it (needs --allow-delete); its other keys are then ignored."

# Keys whose scalar values are kept as their source text by the loader.
TEXT_KEYS = frozenset({"name", "description", "sis_id", "leader", "members", *MEMBER_KINDS,
                       "previous_names",
                       "file", "column", "group_column", "member_column", "seed", "section",
                       "members_from", "roster"})
MemberRole = Literal["student", "ta", "teacher", "observer", "designer", "test_student"]
ROLE_TYPES: dict[str, str] = {
    "student": "StudentEnrollment", "ta": "TaEnrollment", "teacher": "TeacherEnrollment",
    "observer": "ObserverEnrollment", "designer": "DesignerEnrollment",
    "test_student": "StudentViewEnrollment"}
Strategy = Literal["random", "balanced", "by_section"]

_TEXT_OR_NUMBER: dict[str, Any] = {"type": ["string", "integer", "number", "boolean"]}
Text = Annotated[StrictStr, WithJsonSchema(_TEXT_OR_NUMBER)]
Name = Annotated[StrictStr, WithJsonSchema({"anyOf": [
    {"type": "string", "minLength": 1, "maxLength": MAX_NAME}, {"type": "integer"}]})]
Identifier = Annotated[StrictStr, WithJsonSchema({"type": ["string", "integer"]})]


class SpecModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MemberRef(SpecModel):
    """One member named by an explicit kind: exactly one key."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1, "maxProperties": 1})

    login_id: Identifier | None = None
    sis_user_id: Identifier | None = None
    email: Identifier | None = None
    canvas_id: Identifier | None = None


def _entry_kind(value: Any) -> str:
    return "ref" if isinstance(value, dict) else "id"


MemberEntry = Annotated[
    Annotated[Identifier, Tag("id")] | Annotated[MemberRef, Tag("ref")],
    Discriminator(_entry_kind),
]


class MembersFromSpec(SpecModel):
    """A one-column CSV roster of one group's members (a header row, one member a row)."""

    file: Text
    column: Text | None = Field(None, description="Header of the member column; default: "
                                "the file's members_by kind.")
    member_kind: MemberKind | None = Field(None, description=(
        "What the column holds; default: the column name when it is a kind, else members_by."))


class RosterSpec(SpecModel):
    """A CSV with one row per member: a group column and a member column."""

    file: Text
    group_column: Text | None = Field(None, description="Default: group (group_name for a "
                                      "Canvas export).")
    member_column: Text | None = Field(None, description="Default: the file's members_by "
                                       "kind (canvas_user_id for a Canvas export).")
    member_kind: MemberKind | None = None


FileRef = Annotated[
    Annotated[Text, Tag("path")] | Annotated[MembersFromSpec, Tag("table")],
    Discriminator(lambda v: "table" if isinstance(v, dict | MembersFromSpec) else "path"),
]
RosterRef = Annotated[
    Annotated[Text, Tag("path")] | Annotated[RosterSpec, Tag("table")],
    Discriminator(lambda v: "table" if isinstance(v, dict | RosterSpec) else "path"),
]


class AssignFrom(SpecModel):
    """Who is placed: active users of one enrollment type, optionally of one section."""

    enrollment_type: MemberRole = "student"
    section: Text | None = Field(None, description="A course section, by name.")


class AssignSpec(SpecModel):
    """Generated groups: reconciler places the eligible users itself, deterministically."""

    model_config = ConfigDict(populate_by_name=True)

    strategy: Strategy = Field("random", description=(
        "random: seeded shuffle, then deal; balanced: like random, sections spread evenly; "
        "by_section: one group per section."))
    group_size: StrictInt | None = Field(None, description="Members per group (>= 2).")
    groups: StrictInt | None = Field(None, description="Number of groups (>= 1).")
    name: Text | None = Field(None, description=(
        "Group name template: {n} (1, 2, ...) or {section}. Default: 'Group {n}' / "
        "'{section}'."))
    seed: Text | None = Field(None, description=(
        "Any text; the same roster and seed give the same groups. Changing it reshuffles."))
    from_: AssignFrom = Field(default_factory=AssignFrom, alias="from")


_PREVIOUS = ("Names this object had before: an object of the set (or course) found under "
             "one of them, and under no current name, is renamed, keeping its Canvas id "
             "and content.")


class GuardsSpec(SpecModel):
    """Removal thresholds for one set, overriding the run's (--max-removal-pct, ...)."""

    max_removal_pct: Annotated[float, Field(ge=0, le=100)] | None = Field(None, description=(
        "Refuse a plan that ends more than this share of the set's memberships (default 25)."))
    max_delete_pct: Annotated[float, Field(ge=0, le=100)] | None = Field(None, description=(
        "Refuse a plan that deletes more than this share of the set's groups (default 20)."))
    min_memberships: Annotated[StrictInt, Field(ge=0)] | None = Field(None, description=(
        "The removal limit applies once the set has this many memberships (default 20)."))
    min_groups: Annotated[StrictInt, Field(ge=0)] | None = Field(None, description=(
        "The deletion limit applies once the set has this many groups (default 8)."))


class GroupSpec(SpecModel):
    """One group inside a group set. Keys left out are not managed."""

    name: Name
    previous_names: list[Name] = Field([], description=_PREVIOUS)
    description: Text | None = None
    max_membership: StrictInt | None = None
    join_level: JoinLevel | None = None
    sis_id: Text | None = None
    state: Literal["present", "absent"] = Field("present", description=_STATE)
    leader: MemberEntry | None = Field(None, description="One of the members; null: none.")
    members: list[MemberEntry] | None = Field(None, description=(
        "Identifiers in the file's members_by, or {kind: id}. Leave the key out to leave "
        "members unmanaged; [] empties the group."))
    members_from: FileRef | None = Field(None, description=(
        "A CSV file (relative to the spec) listing this group's members."))


class GroupSetSpec(SpecModel):
    """One group set (Canvas group category). Keys left out are not managed."""

    name: Name
    previous_names: list[Name] = Field([], description=_PREVIOUS)
    protect: bool = Field(False, description=(
        "Never delete this set or any of its groups, whatever the flags; a group missing from "
        "the spec is kept."))
    guards: GuardsSpec | None = Field(None, description=(
        "This set's removal thresholds (default: the run's)."))
    self_signup: SelfSignup | None = None
    auto_leader: AutoLeader | None = None
    group_limit: StrictInt | None = None
    sis_id: Text | None = None
    state: Literal["present", "absent"] = Field("present", description=_STATE)
    members_mode: MembersMode = Field("exact", description=(
        "exact: listed members only; additive: add, never remove; seed: members only for "
        "groups being created; observe: change nothing in this set, report drift. Default: "
        "exact, or seed when self_signup is enabled or restricted."))
    members_allowed: list[MemberRole] = Field(["student"], description=(
        "Enrollment types that may be members of this set's groups (the test student only "
        "when test_student is listed)."))
    roster: RosterRef | None = Field(None, description=(
        "A CSV (relative to the spec) with a group column and a member column; Canvas's own "
        "group-set CSV export is read as it is."))
    assign: AssignSpec | None = Field(None, description=(
        "Generate this set's groups and members instead of listing them."))
    unmanaged_groups: UnmanagedGroups = Field("delete", description=(
        "What to do with groups of this set the spec does not list (deleting needs "
        "--allow-delete). Defaults to keep when `groups` is left out."))
    groups: list[GroupSpec] = []


class SpecFile(SpecModel):
    """A whole spec file: one course."""

    model_config = ConfigDict(title="reconciler spec (version 1)")

    version: Literal[1] = 1
    course: StrictInt | Annotated[StrictStr, WithJsonSchema(
        {"type": "string", "pattern": "^sis_course_id:.+"})]
    members_by: MemberKind = Field("login_id", description=(
        "How bare member entries identify users."))
    group_sets: list[GroupSetSpec]


# Which model a mapping at a given list key holds: used to suggest keys for typos.
MODEL_UNDER: dict[str | None, type[SpecModel]] = {
    None: SpecFile, "group_sets": GroupSetSpec, "groups": GroupSpec,
    "members": MemberRef, "leader": MemberRef, "members_from": MembersFromSpec,
    "roster": RosterSpec, "assign": AssignSpec, "from": AssignFrom, "guards": GuardsSpec,
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a spec file, for editors and `reconciler schema`."""
    schema = SpecFile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://reconciler.invalid/spec-v1.schema.json", **schema}
