"""GET /group_categories/:id/export (Q-EXPORT-CSV, Q-EXPORT-FORMAT; docs/canvas-quirks.md)."""

from __future__ import annotations

import csv
import io

import pytest

from reconciler.sandbox import ManualClock, SandboxServer, seed_demo_state
from reconciler.sandbox.errors import CATEGORY_NOT_FOUND
from reconciler.sandbox.routes_export import content_disposition, to_sentence
from reconciler.sandbox.seed import DEMO_STUDENT_COUNT, LAB_PAIR_GROUP_IDS, LAB_PAIRS_CATEGORY_ID
from tests.conftest import SandboxFactory
from tests.sandbox.helpers import Api, post_csv, progress

PAIRS = LAB_PAIRS_CATEGORY_ID
PAIR1 = LAB_PAIR_GROUP_IDS["Pair 1"]
FULL_HEADER = "name,canvas_user_id,user_id,login_id,sections,group_name,canvas_group_id,group_id"


def export(api: Api, category_id: int) -> list[str]:
    response = api.get(f"/group_categories/{category_id}/export")
    assert response.status_code == 200, response.text
    assert response.content.endswith(b"\n")
    return response.content.decode().splitlines()


def test_export_lists_active_students_by_id_with_their_groups(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    response = api.get(f"/group_categories/{PAIRS}/export")
    assert response.headers["Content-Type"] == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Lab Pairs.csv\"; filename*=UTF-8''Lab%20Pairs.csv")
    assert response.headers["Content-Transfer-Encoding"] == "binary"
    lines = export(api, PAIRS)
    assert lines[0] == FULL_HEADER
    assert lines[1] == f'"Thistlewood, Quilla",1001,20260001,s01,Lab 01,Pair 1,{PAIR1},'
    assert lines[5] == '"Fizzlebottom, Tindra",1005,20260005,s05,Lab 01,,,'  # unassigned
    ids = [int(row["canvas_user_id"]) for row in csv.DictReader(io.StringIO("\n".join(lines)))]
    # s37 (invited), s38 (completed), staff and the test student are not exported
    assert ids == list(range(1001, 1001 + DEMO_STUDENT_COUNT))


def test_group_id_columns_only_with_an_active_membership(sandbox: SandboxServer) -> None:
    state = sandbox.state
    category = state.create_category(101, "Empty Set")
    group = state.create_group(category.id, "Nobody Here Yet", sis_id="G-1")
    gone = state.create_group(category.id, "Gone", workflow_state="deleted")
    state.add_membership(gone.id, 1001)  # in a deleted group: not shown
    left = state.add_membership(group.id, 1002)
    left.workflow_state = "deleted"
    lines = export(Api(sandbox), category.id)
    assert lines[0] == "name,canvas_user_id,user_id,login_id,sections,group_name"
    assert lines[1] == '"Thistlewood, Quilla",1001,20260001,s01,Lab 01,'
    state.add_membership(group.id, 1003, workflow_state="invited")  # any non-deleted state
    lines = export(Api(sandbox), category.id)
    assert lines[0] == FULL_HEADER
    assert lines[3] == ('"Moonwhistle, Zephyrine",1003,20260003,s03,Lab 01,'
                        f"Nobody Here Yet,{group.id},G-1")


def test_sections_are_joined_as_a_sentence(sandbox: SandboxServer) -> None:
    state = sandbox.state
    state.enroll(1001, 101, section_id=12)
    extra = state.add_section(101, "Lab 03")
    for section in (12, extra.id):
        state.enroll(1003, 101, section_id=section)
    state.enroll(1005, 101, "StudentEnrollment", "invited", section_id=12)  # not active
    state.enroll(1007, 101, "TaEnrollment", section_id=12)  # not a student enrollment
    rows = list(csv.DictReader(io.StringIO("\n".join(export(Api(sandbox), PAIRS)))))
    by_id = {row["canvas_user_id"]: row["sections"] for row in rows}
    assert (by_id["1001"], by_id["1003"], by_id["1005"], by_id["1007"]) == (
        "Lab 01 and Lab 02", "Lab 01, Lab 02, and Lab 03", "Lab 01", "Lab 01")


@pytest.mark.parametrize(("words", "sentence"), [
    ([], ""), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B, and C")])
def test_to_sentence(words: list[str], sentence: str) -> None:
    assert to_sentence(words) == sentence


def test_a_user_without_sis_id_or_login_and_a_name_that_needs_quoting(
        sandbox: SandboxServer) -> None:
    state = sandbox.state
    user = state.add_user('Ann "Quote"', sortable_name='"Quote", Ann', id=3001)
    state.enroll(user.id, 101, section_id=11)
    assert export(Api(sandbox), PAIRS)[-1] == '"""Quote"", Ann",3001,,,Lab 01,,,'


@pytest.mark.parametrize(("name", "header"), [
    ("Gruppen für Ö", "attachment; filename=\"Gruppen fur O.csv\"; "
                      "filename*=UTF-8''Gruppen%20f%C3%BCr%20%C3%96.csv"),
    ('Say "Hi" 日本', "attachment; filename=\"Say %22Hi%22 %3F%3F.csv\"; "
                     "filename*=UTF-8''Say%20%22Hi%22%20%E6%97%A5%E6%9C%AC.csv"),
])
def test_content_disposition_as_rails_writes_it(name: str, header: str) -> None:
    assert content_disposition(f"{name}.csv") == header


def test_unknown_category_is_the_category_404(sandbox: SandboxServer) -> None:
    response = Api(sandbox).get("/group_categories/999/export")
    assert (response.status_code, response.json()) == (404, CATEGORY_NOT_FOUND)


def test_an_export_imports_back_unchanged(sandbox_factory: SandboxFactory) -> None:
    clock = ManualClock()
    server = sandbox_factory(state=seed_demo_state(clock))
    api = Api(server)
    before = server.state.members_by_group(PAIRS)
    response = api.get(f"/group_categories/{PAIRS}/export")
    pid = post_csv(api, PAIRS, response.content).json()["id"]
    clock.advance(0.2)
    assert progress(api, pid)["message"] == (
        '{"type":"import_groups","groups":2,"users":4,"error":null}')
    assert server.state.members_by_group(PAIRS) == before
