"""Canvas's wire format, both directions: our field <-> Canvas's JSON key and form parameter.

One table per object (group set = Canvas group category, group). Reading turns a Canvas JSON
row into model field values and refuses a malformed row with a StateError naming the object;
writing turns an operation's settings or changes into form pairs. What a PUT does with an
omitted parameter is a property of the field (docs/canvas-quirks.md): a category PUT resets
self_signup, auto_leader and group_limit when they are left out (Q-SET-PUT-RESETS), but keeps
the SIS id, which needs manage_sis even to send unchanged (Q-SIS-KEPT); a group PUT keeps
whatever it is not sent (Q-GROUP-PUT-KEEPS). Pure: no HTTP here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from reconciler.errors import StateError
from reconciler.model import JOIN_LEVELS, AutoLeader, SelfSignup

Pairs = list[tuple[str, Any]]
Reader = Callable[[Any, str], Any]  # (raw value, "group set 'X' (id 5)") -> value
OnOmit = Literal["kept", "reset"]


def text(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise StateError(f"Canvas returned {where} with a non-text value {value!r}")


def _sis(value: Any, where: str) -> str | None:
    """A blank SIS id is no SIS id: Canvas stores a cleared one as "" (Q-SIS-CLEAR)."""
    return text(value, where) or None


def _count(value: Any, where: str) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise StateError(f"Canvas returned {where} with a non-numeric limit {value!r}")


def _one_of(allowed: Collection[str]) -> Reader:
    def read(value: Any, where: str) -> str | None:
        if value is None or value in allowed:
            return value  # type: ignore[no-any-return]
        raise StateError(f"Canvas returned {where} with {value!r}, which reconciler does "
                         f"not know (expected one of {', '.join(sorted(allowed))})")
    return read


def _join_level(value: Any, where: str) -> str | None:
    # Canvas always keeps one; a level this version does not know is left unmanaged.
    return value if value in JOIN_LEVELS else None


@dataclass(frozen=True)
class WireField:
    name: str  # the model attribute
    key: str  # Canvas's JSON key, and its form parameter
    on_omit: OnOmit  # what a PUT that leaves it out does
    read: Reader


@dataclass(frozen=True)
class Table:
    noun: str
    fields: tuple[WireField, ...]

    def field(self, name: str) -> WireField:
        return next(f for f in self.fields if f.name == name)

    def read(self, raw: Any) -> dict[str, Any]:
        """The model fields of one Canvas JSON row, with its id and name checked."""
        where = self.where(raw)
        if not isinstance(raw.get("name"), str):
            raise StateError(f"Canvas returned {where} without a name")
        return {"canvas_id": raw["id"], "name": raw["name"],
                **{f.name: f.read(raw.get(f.key), where) for f in self.fields}}

    def where(self, raw: Any) -> str:
        """How messages name a row ("group set 'Teams' (id 5)"); StateError without an id."""
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), int):
            raise StateError(f"Canvas returned a {self.noun} without a numeric id: "
                             f"{_short(raw)}")
        name = raw.get("name")
        return f"{self.noun} {name!r} (id {raw['id']})" if isinstance(name, str) \
            else f"{self.noun} id {raw['id']}"

    def create_form(self, name: str, settings: Mapping[str, Any]) -> Pairs:
        """POST body: the name, then every setting that has a value (unset = Canvas's
        default)."""
        self._check(settings)
        return [("name", name), *((f.key, settings[f.name]) for f in self.fields
                                  if settings.get(f.name) is not None)]

    def update_form(self, changes: Mapping[str, Any], current: Mapping[str, Any]) -> Pairs:
        """PUT body: each changed field (and the name when it changes), and every field a
        PUT would reset if left out, at its current value. None is sent as "" (cleared)."""
        self._check(changes, extra={"name"})
        pairs: Pairs = [("name", changes["name"])] if "name" in changes else []
        for f in self.fields:
            if f.name in changes:
                pairs.append((f.key, _form_value(changes[f.name])))
            elif f.on_omit == "reset":
                pairs.append((f.key, _form_value(current.get(f.name))))
        return pairs

    def _check(self, values: Mapping[str, Any], extra: Collection[str] = ("name",)) -> None:
        unknown = set(values) - {f.name for f in self.fields} - set(extra)
        if unknown:
            raise ValueError(f"unsupported {self.noun} setting(s): {', '.join(sorted(unknown))}")


def _form_value(value: Any) -> Any:
    return "" if value is None else value


def _short(raw: Any) -> str:
    """What a malformed row holds, without its values (a row may name people)."""
    if isinstance(raw, dict):
        return "keys " + ", ".join(sorted(map(str, raw))[:8]) if raw else "an empty object"
    return f"a JSON {type(raw).__name__}"


GROUP_SET = Table("group set", (
    WireField("self_signup", "self_signup", "reset", _one_of(get_args(SelfSignup))),
    WireField("auto_leader", "auto_leader", "reset", _one_of(get_args(AutoLeader))),
    WireField("group_limit", "group_limit", "reset", _count),
    WireField("sis_id", "sis_group_category_id", "kept", _sis),
))

GROUP = Table("group", (
    WireField("description", "description", "kept", text),
    WireField("max_membership", "max_membership", "kept", _count),
    WireField("join_level", "join_level", "kept", _join_level),
    WireField("sis_id", "sis_group_id", "kept", _sis),
))


# --- the rest of a group row ------------------------------------------------------------

def user_ids(rows: Any, where: str, key: str = "id") -> frozenset[int]:
    """User ids from a list of user (`id`) or membership (`user_id`) rows."""
    if not isinstance(rows, list):
        raise StateError(f"Canvas returned {where} with a malformed member list")
    ids = [row.get(key) if isinstance(row, dict) else None for row in rows]
    if not all(isinstance(i, int) for i in ids):
        raise StateError(f"Canvas returned {where} with a member that has no user id")
    return frozenset(ids)  # type: ignore[arg-type]


def leader_id(raw: Mapping[str, Any]) -> int | None:
    """The leader is a user object (`leader: {id, ...}`); Canvas sends no leader_id."""
    leader = raw.get("leader")
    if isinstance(leader, dict) and isinstance(leader.get("id"), int):
        return int(leader["id"])
    return None


def has_submission(raw: Mapping[str, Any]) -> bool:
    """Canvas says whether any submission was made by (or commented for) the group."""
    return raw.get("has_submission") is True


def section_limited(enrollments: Any) -> bool:
    """Whether any of the caller's own enrollments limits them to their sections; Canvas
    then shows them only part of each group (Q-SECTION-LIMITED)."""
    rows = enrollments if isinstance(enrollments, list) else []
    return any(isinstance(e, dict) and e.get("limit_privileges_to_course_section") is True
               for e in rows)


def is_protected(raw: Mapping[str, Any]) -> bool:
    """Canvas's own categories (Student Groups, Imported Groups, ...) carry a role."""
    return raw.get("role") is not None


def members_form(members: Collection[int]) -> Pairs:
    """members[] repeated, sorted; an empty target is one empty members[] (clears all):
    form encoding drops an empty list, which would leave the members as they are."""
    return [("members[]", uid) for uid in sorted(members)] or [("members[]", "")]


def leader_form(leader: int | None) -> Pairs:
    """`leader[id]=N` sets the leader (already a member); a blank `leader` clears it."""
    return [("leader", "")] if leader is None else [("leader[id]", leader)]


# --- the group-set CSV import (Q-CSV-IMPORT) and its Progress (Q-PROGRESS) ----------------

IMPORT_HEADER = ("canvas_user_id", "canvas_group_id", "group_name")


def import_csv(rows: Iterable[tuple[int, int | None, str]]) -> str:
    """The import file: one row per (user, group id if known, group name). A row with a
    group id is placed by it; one without, by the name (the import creates the group when
    no active group has it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(IMPORT_HEADER)
    writer.writerows((uid, "" if gid is None else gid, name) for uid, gid, name in rows)
    return out.getvalue()


@dataclass(frozen=True)
class Progress:
    id: int
    state: str  # queued | running | completed | failed (| canceled ...)
    completion: float
    message: str | None

    @property
    def finished(self) -> bool:
        return self.state not in ("queued", "running")


def progress(raw: Any) -> Progress:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), int):
        raise StateError("Canvas answered the import without a Progress id")
    completion = raw.get("completion")
    return Progress(raw["id"], str(raw.get("workflow_state") or ""),
                    float(completion) if isinstance(completion, int | float) else 0.0,
                    raw.get("message") if isinstance(raw.get("message"), str) else None)


def pending_progress(raw: Any) -> Progress | None:
    """The queued or running job a category shows (its `progress`, Q-PROGRESS), if any."""
    found = raw.get("progress") if isinstance(raw, dict) else None
    if not isinstance(found, dict):
        return None
    job = progress(found)
    return None if job.finished else job


def import_error(message: str | None) -> str:
    """What a failed import's Progress says: newer Canvas writes a JSON string with an
    `error` key, older the plain text."""
    if message is None:
        return "no message"
    try:
        decoded = json.loads(message)
    except ValueError:
        return message
    return str(decoded.get("error") or message) if isinstance(decoded, dict) else message
