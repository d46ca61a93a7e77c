"""The spec language end to end: identities, rosters, ownership modes, leaders, generation."""

from __future__ import annotations

from pathlib import Path

from reconciler import engine
from reconciler.canvas.client import CanvasClient
from reconciler.ops import SetMembers
from reconciler.sandbox import SandboxServer
from reconciler.sandbox.seed import DEMO_USER_IDS

from .helpers import categories, groups_of, member_logins, run, write_spec

MIXED = """\
    course: 101
    members_by: login_id
    group_sets:
      - name: Project Teams                 # generated and sticky
        assign: {strategy: random, group_size: 4, name: "Team {n}", seed: "2026-fall"}
      - name: Mixed Identities
        groups:
          - name: Alpha
            leader: s01
            members: [s01, {sis_user_id: "20260002"}, {email: S03@Example.EDU}, {canvas_id: 1004}]
          - name: Beta
            members_from: rosters/beta.csv
      - name: Lab Pairs                     # exists in the sandbox: add, never remove
        members_mode: additive
        unmanaged_groups: keep
        groups:
          - name: Pair 1
            members: [s09]
      - name: Reading Circles               # self sign-up: seed mode
        self_signup: enabled
        groups:
          - name: Circle A
            members: [s20]
    """


def write_mixed(tmp_path: Path) -> Path:
    (tmp_path / "rosters").mkdir()
    (tmp_path / "rosters" / "beta.csv").write_text("login_id\ns05\ns06\nS07\n", encoding="utf-8")
    return write_spec(tmp_path, MIXED)


def test_mixed_spec_converges(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_mixed(tmp_path)
    applied = run(sandbox, "apply", str(spec), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert run(sandbox, "plan", str(spec), "--detailed-exitcode").exit_code == 0

    mixed = groups_of(sandbox, categories(sandbox)["Mixed Identities"]["id"])
    assert member_logins(sandbox, mixed["Alpha"]["id"]) == {"s01", "s02", "s03", "s04"}
    assert mixed["Alpha"]["leader"]["id"] == DEMO_USER_IDS["s01"]
    assert member_logins(sandbox, mixed["Beta"]["id"]) == {"s05", "s06", "s07"}
    pairs = groups_of(sandbox, categories(sandbox)["Lab Pairs"]["id"])
    assert member_logins(sandbox, pairs["Pair 1"]["id"]) == {"s01", "s02", "s09"}
    assert member_logins(sandbox, pairs["Pair 2"]["id"]) == {"s03", "s04"}
    teams = groups_of(sandbox, categories(sandbox)["Project Teams"]["id"])
    assert len(teams) == 9
    assert sum(len(member_logins(sandbox, g["id"])) for g in teams.values()) == 36


def test_seed_mode_keeps_students_choices(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_mixed(tmp_path)
    assert run(sandbox, "apply", str(spec), "--auto-approve").exit_code == 0
    circle = groups_of(sandbox, categories(sandbox)["Reading Circles"]["id"])["Circle A"]
    sandbox.state.add_membership(circle["id"], DEMO_USER_IDS["s21"])  # a student signs up
    assert run(sandbox, "plan", str(spec), "--detailed-exitcode").exit_code == 0
    assert member_logins(sandbox, circle["id"]) == {"s20", "s21"}


def test_roster_change_moves_nobody_who_stayed(sandbox: SandboxServer, tmp_path: Path) -> None:
    spec = write_mixed(tmp_path)
    assert run(sandbox, "apply", str(spec), "--auto-approve").exit_code == 0
    dropped = {DEMO_USER_IDS["s33"], DEMO_USER_IDS["s34"]}
    for enrollment in sandbox.state.enrollments(101):
        if enrollment.user_id in dropped:
            enrollment.state = "deleted"
    newcomers = {_enroll_new_student(sandbox, n) for n in (1, 2, 3)}

    client = CanvasClient(sandbox.base_url, sandbox.token)
    plan = engine.make_plan(spec, client).plan
    member_ops = [op for op in plan.operations if isinstance(op, SetMembers)]
    assert {op.set_name for op in member_ops} == {"Project Teams"}
    assert set().union(*(op.remove for op in member_ops)) == dropped
    assert set().union(*(op.add for op in member_ops)) == newcomers

    assert run(sandbox, "apply", str(spec), "--auto-approve").exit_code == 0
    assert run(sandbox, "plan", str(spec), "--detailed-exitcode").exit_code == 0


def _enroll_new_student(sandbox: SandboxServer, n: int) -> int:
    login = f"n{n:02d}"
    user = sandbox.state.add_user(f"New Student {n}", login_id=login,
                                  sis_user_id=f"2026900{n}", email=f"{login}@example.edu")
    sandbox.state.enroll(user.id, 101, "StudentEnrollment", "active", section_id=11)
    return user.id
