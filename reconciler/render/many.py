"""Many courses' plans as one output: a heading per course, then one total (text); one
document listing them (JSON); one comment with a section per course (Markdown). Pure.

A course that failed is shown with its error where its plan would be; the others are
shown as usual.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.document import plan_to_dict
from reconciler.plan import Plan
from reconciler.render import render, render_markdown
from reconciler.render.text import RED, RESET
from reconciler.wording import plural

MANY_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Course:
    """One course of a run: where its spec is, and its plan or the error that stopped it."""

    label: str  # the spec's path, as given
    plan: Plan | None = None
    error: str | None = None
    error_kind: str | None = None  # the error's class name, for JSON readers


def totals(courses: Sequence[Course]) -> str:
    """`3 courses: 1 with changes, 1 without changes, 1 failed.`"""
    failed = sum(c.plan is None for c in courses)
    changed = sum(c.plan is not None and not c.plan.is_empty for c in courses)
    parts = [f"{changed} with changes", f"{len(courses) - failed - changed} without changes"]
    if failed:
        parts.append(f"{failed} failed")
    return f"{plural(len(courses), 'course')}: {', '.join(parts)}."


def render_many(courses: Sequence[Course], fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return json.dumps(_document(courses), indent=2, sort_keys=True, ensure_ascii=False)
    if fmt == "markdown":
        return _markdown(courses)
    blocks = []
    for course in courses:
        body = render(course.plan, "text", color=color) if course.plan is not None \
            else _error_line(course, color)
        blocks.append(f"=== {course.label} ===\n{body}")
    return "\n\n".join([*blocks, f"Total: {totals(courses)}"])


def _error_line(course: Course, color: bool) -> str:
    head = f"{RED}Error:{RESET}" if color else "Error:"
    return f"{head} {course.error}"


def _document(courses: Sequence[Course]) -> dict[str, object]:
    entries: list[dict[str, object]] = []
    for course in courses:
        if course.plan is not None:
            entries.append({"path": course.label, "plan": plan_to_dict(course.plan)})
        else:
            entries.append({"path": course.label,
                            "error": {"kind": course.error_kind, "message": course.error}})
    return {"many_format_version": MANY_FORMAT_VERSION, "summary": totals(courses),
            "courses": entries}


def _markdown(courses: Sequence[Course]) -> str:
    """One comment: a title with the totals, then each course's section under its path."""
    lines = [f"### reconciler plan: {totals(courses)}"]
    for course in courses:
        if course.plan is None:
            lines += ["", f"#### `{course.label}`", "", f"**Error:** {course.error}"]
            continue
        _title, _blank, *section = render_markdown(course.plan).split("\n")
        lines += ["", f"#### `{course.label}` (course {course.plan.course_id})", "", *section]
    return "\n".join(lines)
