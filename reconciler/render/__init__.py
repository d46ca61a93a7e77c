"""Plan -> text (Terraform style), JSON (the plan document) or Markdown (PR comments).

Pure and deterministic: the same plan gives the same bytes. Text has no ANSI colours
unless asked. No output ends with a newline; the caller prints it.
"""

from __future__ import annotations

import json
from typing import Literal

from reconciler.document import plan_to_dict
from reconciler.plan import Plan
from reconciler.render.text import RESET, YELLOW, op_lines

Format = Literal["text", "json", "markdown"]
NO_CHANGES = "No changes. Canvas matches the spec."


def render(plan: Plan, fmt: Format, *, color: bool = False) -> str:
    if fmt == "text":
        return render_text(plan, color=color)
    if fmt == "json":
        return json.dumps(plan_to_dict(plan), indent=2, sort_keys=True, ensure_ascii=False)
    if fmt == "markdown":
        return render_markdown(plan)
    raise ValueError(f"unknown plan format {fmt!r}; expected text, json or markdown")


def summary_line(plan: Plan) -> str:
    c = plan.counts()
    changes = "change" if c.membership_changes == 1 else "changes"
    held = ""
    if c.with_submissions:
        one = c.with_submissions == 1
        held = (f" {c.with_submissions} operation{'' if one else 's'} "
                f"touch{'es' if one else ''} groups with submissions (marked !).")
    return (f"Plan: {c.create} to create, {c.update} to update, {c.delete} to delete, "
            f"{c.membership_changes} membership {changes}.{held}")


def body_lines(plan: Plan, *, color: bool = False) -> list[str]:
    return [line for op in plan.operations for line in op_lines(op, plan.labels, color=color)]


def render_text(plan: Plan, *, color: bool = False) -> str:
    if plan.is_empty:
        lines = [NO_CHANGES]
    else:
        lines = [f"reconciler will make these changes to course {plan.course_id}:", "",
                 *body_lines(plan, color=color), "", summary_line(plan)]
    if plan.warnings:
        head = f"{YELLOW}Warning:{RESET}" if color else "Warning:"
        lines += ["", *(f"{head} {w}" for w in plan.warnings)]
    if plan.notes:
        lines += ["", *(f"Note: {n}" for n in plan.notes)]
    return "\n".join(lines)


def render_markdown(plan: Plan) -> str:
    lines = [f"#### reconciler plan for course {plan.course_id}", ""]
    if plan.is_empty:
        lines.append(NO_CHANGES)
    else:
        lines += [*_summary_table(plan), "", *_fenced(body_lines(plan))]
    if plan.warnings:
        lines += ["", "**Warnings**", "", *(f"- {w}" for w in plan.warnings)]
    if plan.notes:
        lines += ["", "**Notes**", "", *(f"- {n}" for n in plan.notes)]
    return "\n".join(lines)


def _summary_table(plan: Plan) -> list[str]:
    c = plan.counts()
    return ["| to create | to update | to delete | membership changes | touching submissions |",
            "| ---: | ---: | ---: | ---: | ---: |",
            f"| {c.create} | {c.update} | {c.delete} | {c.membership_changes} | "
            f"{c.with_submissions} |"]


def _fenced(body: list[str]) -> list[str]:
    fence = "```"
    while any(fence in line for line in body):
        fence += "`"  # a label or description holding backticks must not close the block
    return [f"{fence}diff", *body, fence]
