"""Member entries: a bare identifier in the file's `members_by`, or `{kind: identifier}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from reconciler.errors import Problem
from reconciler.model import MEMBER_KINDS, MemberKind
from reconciler.spec.schema import MemberRef

Identity = tuple[MemberKind, str]
CASELESS: frozenset[MemberKind] = frozenset({"login_id", "email"})


def entry_identity(entry: Any, members_by: MemberKind) -> Identity | None:
    """(kind, identifier) of a raw or validated entry; None when it is malformed."""
    if isinstance(entry, str):
        return (members_by, entry)
    if isinstance(entry, MemberRef):
        entry = entry.model_dump(exclude_none=True)
    if isinstance(entry, dict) and len(entry) == 1:
        kind, value = next(iter(entry.items()))
        if kind in MEMBER_KINDS and isinstance(value, str):
            return (cast(MemberKind, kind), value)
    return None


def normalize(identity: Identity) -> Identity:
    """The form two identifiers are compared in: logins and emails ignore case."""
    kind, value = identity
    value = value.strip()
    return (kind, value.casefold() if kind in CASELESS else value)


def label(identity: Identity, members_by: MemberKind) -> str:
    """How a message names an entry: bare in the file's kind, else `kind:value`."""
    kind, value = identity
    return repr(value) if kind == members_by else f"{kind} {value!r}"


@dataclass(frozen=True)
class Sourced:
    """A member identifier and where it was written: a spec node or a CSV row."""

    identity: Identity
    file: str
    line: int | None
    column: int | None = None
    field: str | None = None

    def problem(self, message: str) -> Problem:
        return Problem(self.file, self.line, self.column, message, self.field)

    def place(self, other_file: str) -> str:
        """'line 7', or 'teams.csv:7' when written in another file than `other_file`."""
        line = "?" if self.line is None else str(self.line)
        return f"line {line}" if self.file == other_file else f"{self.file}:{line}"
