"""load / load_text / load_data: a spec file, its text or the same as Python values -> a
validated, located `Spec` (or one SpecError)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.errors import Problem, SpecError
from reconciler.model import MemberKind
from reconciler.spec.capacity import check_capacity
from reconciler.spec.checks import check
from reconciler.spec.rosters import Files, read_files
from reconciler.spec.schema import TEXT_KEYS, SpecFile
from reconciler.spec.translate import describe, problems_from
from reconciler.spec.yamlsrc import (
    Loc,
    Located,
    PathKey,
    check_size,
    decode,
    load_located,
    located_data,
)


@dataclass(frozen=True)
class Spec:
    """A valid spec file: the parsed document plus where each of its nodes sits."""

    document: SpecFile
    source: Located
    files: Files = field(default_factory=Files)

    @property
    def filename(self) -> str:
        return self.source.filename

    @property
    def course(self) -> int | str:
        """The course id, or an `sis_course_id:...` reference for the engine to look up."""
        course = self.document.course
        return int(course) if isinstance(course, str) and course.isdigit() else course

    @property
    def members_by(self) -> MemberKind:
        return self.document.members_by

    @property
    def needs_sections(self) -> bool:
        """Whether resolving needs the course's section names (generated groups by or
        balanced across sections, or drawn from one section)."""
        return any(s.assign is not None and (s.assign.strategy in ("by_section", "balanced")
                                             or s.assign.from_.section is not None)
                   for s in self.document.group_sets if s.state != "absent")

    def where(self, path: PathKey) -> Loc | None:
        return self.source.where(path)

    def problem(self, path: PathKey, message: str) -> Problem:
        return self.source.problem(path, message)


def in_order(problems: list[Problem], filename: str) -> list[Problem]:
    """The spec's own problems first, in file order; then each roster file's."""
    return sorted(problems, key=lambda p: (p.file != filename, p.file, p.line or 0,
                                           p.column or 0))


def load_text(text: str, filename: str, *, base_dir: Path | None = None) -> Spec:
    """Parse and validate spec text; every problem at once as one SpecError.

    Roster files are read relative to `base_dir` (default: the directory of `filename`).
    """
    base = base_dir if base_dir is not None else Path(filename).parent
    return load_source(parse_text(text, filename), base)


def parse_text(text: str, filename: str) -> Located:
    """Spec text -> its plain values and where each one sits (SpecError on bad YAML)."""
    return load_located(text, filename, TEXT_KEYS)


def load_data(data: Any, filename: str = "<dict>", *, base_dir: Path | None = None) -> Spec:
    """Validate a spec given as Python values, exactly as the same YAML file would be;
    problems name the field path (there are no lines). Roster files are read relative to
    `base_dir`; without one, a roster file reference is a problem."""
    return load_source(located_data(data, filename, TEXT_KEYS), base_dir)


def load_source(source: Located, base_dir: Path | None) -> Spec:
    """Validate a parsed document: schema, semantic checks, roster files (relative to
    `base_dir`; None: there is no directory, and naming a file is a problem)."""
    filename = source.filename
    if not isinstance(source.data, dict):
        raise SpecError([source.problem((), "the spec must be a mapping with `course:` and "
                                        f"`group_sets:` keys, got {describe(source.data)}")])
    problems: list[Problem] = []
    document: SpecFile | None = None
    try:
        document = SpecFile.model_validate(source.data)
    except ValidationError as exc:
        problems.extend(problems_from(exc, source))
    problems.extend(check(source))
    files = Files()
    if document is not None:
        files, file_problems = read_files(document, source, base_dir)
        problems.extend(file_problems)
        problems.extend(check_capacity(document, files, source))
    if problems or document is None:
        raise SpecError(in_order(problems, filename))
    return Spec(document, source, files)


def load(path: Path) -> Spec:
    """Read and validate one spec file."""
    name = str(path)
    try:
        check_size(path.stat().st_size, name)
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([Problem(name, None, None, f"cannot read the spec: "
                                 f"{exc.strerror or exc}")]) from None
    return load_text(decode(raw, name), name, base_dir=path.parent)
