"""Members from CSV files: a group's `members_from` and a set's `roster`.

Files are read when the spec is loaded (so `validate` reports their problems), confined to
the spec's repository, and turned into `Sourced` identifiers that remember `file:line`.
Canvas's own group-set CSV export is recognised by its header and read as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.errors import Problem
from reconciler.model import MEMBER_KINDS, MemberKind
from reconciler.spec.csvfile import Table, cell, columns_present, read_table
from reconciler.spec.members import Sourced
from reconciler.spec.paths import confine, shown
from reconciler.spec.schema import MembersFromSpec, RosterSpec, SpecFile
from reconciler.spec.yamlsrc import Located, PathKey


@dataclass(frozen=True)
class RosterRow:
    group: str
    member: Sourced


@dataclass(frozen=True)
class Files:
    """What the spec's CSV files hold: group path -> members; set path -> roster rows."""

    members: Mapping[PathKey, tuple[Sourced, ...]] = field(default_factory=dict)
    rosters: Mapping[PathKey, tuple[RosterRow, ...]] = field(default_factory=dict)


# A header that names an identity kind says what its column holds (`canvas_user_id` is
# Canvas's own name for a Canvas user id, as in its group-set export).
KIND_COLUMNS: Mapping[str, MemberKind] = {**{k: k for k in MEMBER_KINDS},
                                          "canvas_user_id": "canvas_id"}


def _kind(column: str, explicit: MemberKind | None, members_by: MemberKind) -> MemberKind:
    if explicit is not None:
        return explicit
    return KIND_COLUMNS.get(column, members_by)


def _default_column(header: tuple[str, ...], explicit: MemberKind | None,
                   members_by: MemberKind) -> str:
    """The member column when the spec names none: the column named after the kind the
    spec gives (`member_kind`, else `members_by`); else, without a `member_kind`, the one
    column named after an identity kind (`login_id` in a file of an `sis_user_id` spec);
    else `members_by`, which the missing-column problem then names."""
    wanted = explicit or members_by
    if wanted in header:
        return wanted
    named = [column for column in header if column in KIND_COLUMNS]
    return named[0] if explicit is None and len(named) == 1 else members_by


def _member(table: Table, line: int, value: str, kind: MemberKind, column: str) \
        -> Sourced | Problem:
    if not value:
        return Problem(table.name, line, None, f"empty {column!r} on this row; every row "
                       "needs a member")
    if kind == "canvas_id" and not value.isdigit():
        return Problem(table.name, line, None, f"{column!r} must be a Canvas user id (a "
                       f"number), got {value!r}")
    return Sourced((kind, value), table.name, line)


def _why_unreadable(target: Path) -> str | None:
    try:
        if target.is_dir():
            return "is a folder, not a CSV file"
        return None if target.is_file() else "does not exist"
    except OSError as exc:  # e.g. a path too long for the OS
        return f"cannot be used ({exc.strerror or exc})"


@dataclass
class _Reader:
    source: Located
    base: Path | None  # None: the spec came from no file, and no directory was given
    members_by: MemberKind
    problems: list[Problem] = field(default_factory=list)

    def table(self, path: PathKey, written: str) -> Table | None:
        if self.base is None:
            self.problems.append(self.source.problem(path, f"the roster file {written!r} "
                                 "cannot be read: the spec was not loaded from a file, and "
                                 "no base directory was given to read roster files from "
                                 "(base_dir)"))
            return None
        target = confine(self.base, written)
        if isinstance(target, str):
            self.problems.append(self.source.problem(path, target))
            return None
        missing = _why_unreadable(target)
        if missing:
            self.problems.append(self.source.problem(
                path, f"the roster file {written!r} {missing} (looked for "
                f"{shown(self.source.filename, written)})"))
            return None
        table = read_table(target, shown(self.source.filename, written))
        if isinstance(table, Problem):
            self.problems.append(table)
            return None
        return table

    def members_from(self, path: PathKey, ref: str | MembersFromSpec) -> tuple[Sourced, ...]:
        spec = ref if isinstance(ref, MembersFromSpec) else MembersFromSpec(file=ref)
        table = self.table((*path, "file") if isinstance(ref, MembersFromSpec) else path,
                           spec.file)
        if table is None:
            return ()
        column = spec.column or _default_column(table.header, spec.member_kind, self.members_by)
        if self.missing(table, [(column, "member")]):
            return ()
        return self.collect(table, column, _kind(column, spec.member_kind, self.members_by))

    def collect(self, table: Table, column: str, kind: MemberKind) -> tuple[Sourced, ...]:
        out = []
        for line, row in table.rows:
            entry = _member(table, line, cell(row, column), kind, column)
            if isinstance(entry, Problem):
                self.problems.append(entry)
            else:
                out.append(entry)
        return tuple(out)

    def missing(self, table: Table, wanted: list[tuple[str, str]]) -> bool:
        problems = columns_present(table, wanted)
        self.problems.extend(problems)
        return bool(problems)

    def roster(self, path: PathKey, ref: str | RosterSpec) -> tuple[RosterRow, ...]:
        spec = ref if isinstance(ref, RosterSpec) else RosterSpec(file=ref)
        table = self.table((*path, "file") if isinstance(ref, RosterSpec) else path, spec.file)
        if table is None:
            return ()
        export = table.is_canvas_export
        group_col = spec.group_column or ("group_name" if export else "group")
        member_col = spec.member_column or ("canvas_user_id" if export else _default_column(
            table.header, spec.member_kind, self.members_by))
        if self.missing(table, [(group_col, "group"), (member_col, "member")]):
            return ()
        kind = _kind(member_col, spec.member_kind, self.members_by)
        if export and spec.member_column is None and spec.member_kind is None:
            kind = "canvas_id"
        return self.rows(table, group_col, member_col, kind, skip_unassigned=export)

    def rows(self, table: Table, group_col: str, member_col: str, kind: MemberKind, *,
             skip_unassigned: bool) -> tuple[RosterRow, ...]:
        out = []
        for line, row in table.rows:
            group = cell(row, group_col)
            if not group:
                if not skip_unassigned:  # Canvas lists unassigned students with no group
                    self.problems.append(Problem(table.name, line, None, f"empty "
                                                 f"{group_col!r} on this row; every row needs "
                                                 "a group"))
                continue
            entry = _member(table, line, cell(row, member_col), kind, member_col)
            if isinstance(entry, Problem):
                self.problems.append(entry)
            else:
                out.append(RosterRow(group, entry))
        return tuple(out)


def read_files(document: SpecFile, source: Located,
               base: Path | None) -> tuple[Files, list[Problem]]:
    """Read every roster file the spec names (present sets and groups only), relative to
    `base` (None: no directory, so each one named is a problem)."""
    reader = _Reader(source, base, document.members_by)
    members: dict[PathKey, tuple[Sourced, ...]] = {}
    rosters: dict[PathKey, tuple[RosterRow, ...]] = {}
    for i, group_set in enumerate(document.group_sets):
        if group_set.state == "absent":
            continue
        if group_set.roster is not None:
            rosters[("group_sets", i)] = reader.roster(("group_sets", i, "roster"),
                                                       group_set.roster)
        for j, group in enumerate(group_set.groups):
            gpath: PathKey = ("group_sets", i, "groups", j)
            if group.state != "absent" and group.members_from is not None:
                members[gpath] = reader.members_from((*gpath, "members_from"),
                                                     group.members_from)
    return Files(members, rosters), reader.problems
