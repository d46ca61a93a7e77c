"""State made by a third-party client (canvasapi, unmodified) is planned correctly."""

from __future__ import annotations

import json
from pathlib import Path

from canvasapi import Canvas

from reconciler.sandbox import SandboxServer

from .helpers import run, write_spec


def make_reading_circles(server: SandboxServer) -> None:
    canvas = Canvas(server.base_url, server.token)
    course = canvas.get_course(101)
    students = course.get_users(enrollment_type=["student"])
    users = {getattr(u, "login_id", None): u.id for u in students}
    category = course.create_group_category(name="Reading Circles", self_signup="enabled")
    for name, logins in (("Circle A", ["s10", "s11"]), ("Circle B", ["s12"])):
        group = category.create_group(name=name)
        for login in logins:
            group.create_membership(users[login])


SPEC = """\
    course: 101
    group_sets:
      - name: Reading Circles
        self_signup: enabled
        members_mode: {mode}
        groups:
          - name: Circle A
            members: [s10, s11]
          - name: Circle B
            members: [{members}]
    """


def test_plan_sees_what_canvasapi_made(sandbox: SandboxServer, tmp_path: Path) -> None:
    make_reading_circles(sandbox)
    same = write_spec(tmp_path, SPEC.replace("{members}", "s12").replace("{mode}", "exact"))
    result = run(sandbox, "plan", str(same), "--detailed-exitcode")
    assert result.exit_code == 0, result.output


def test_plan_changes_canvasapi_state(sandbox: SandboxServer, tmp_path: Path) -> None:
    make_reading_circles(sandbox)
    moved = write_spec(tmp_path, SPEC.replace("{members}", "s12, s11")
                       .replace("[s10, s11]", "[s10]").replace("{mode}", "exact"))
    doc = json.loads(run(sandbox, "plan", str(moved), "--format", "json").output)
    by_group = {op["group"]: op for op in doc["operations"] if op["action"] == "set_members"}
    assert set(by_group) == {"Circle A", "Circle B"}
    assert len(by_group["Circle A"]["remove"]) == 1 and by_group["Circle A"]["add"] == []
    assert len(by_group["Circle B"]["add"]) == 1
    assert run(sandbox, "apply", str(moved), "--auto-approve").exit_code == 0
    assert run(sandbox, "plan", str(moved), "--detailed-exitcode").exit_code == 0


def test_self_signup_set_in_seed_mode_leaves_members_alone(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    make_reading_circles(sandbox)
    moved = write_spec(tmp_path, SPEC.replace("{members}", "s12, s11")
                       .replace("[s10, s11]", "[s10]").replace("{mode}", "seed"))
    result = run(sandbox, "plan", str(moved), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
