"""Persistence round trip (progress rows and pending imports too) and the write log."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.sandbox import EmulatorState, ManualClock, SandboxServer, seed_demo_state
from reconciler.sandbox.seed import LAB_PAIR_GROUP_IDS
from tests.conftest import SandboxFactory
from tests.sandbox.helpers import Api, post_csv, progress

PAIR1 = LAB_PAIR_GROUP_IDS["Pair 1"]


def test_save_load_round_trip(tmp_path: Path) -> None:
    state = seed_demo_state()
    category = state.create_category(101, "Direct")
    group = state.create_group(category.id, "G")
    state.add_membership(group.id, 1001)
    state.save(tmp_path / "s.json")
    loaded = EmulatorState.load(tmp_path / "s.json")
    assert loaded.members_by_group(category.id) == {"G": {1001}}
    assert loaded.counters == state.counters
    assert loaded.t == state.t
    # the membership indexes are derived: rebuilt on load, never written
    assert loaded.user_memberships(1001, include_deleted=True) == \
        state.user_memberships(1001, include_deleted=True)
    assert loaded.memberships(group.id) == state.memberships(group.id)
    saved = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert set(saved) == {"format", "counters", "permission_status", "user_tokens", "tables",
                          "write_log"}
    assert saved["user_tokens"] == {"sandbox-ta-token": 1101}
    assert loaded.user_tokens == state.user_tokens


def test_section_sis_id_is_saved_and_old_files_still_load(tmp_path: Path) -> None:
    state = seed_demo_state()
    section = state.add_section(101, "Lab 03", sis_id="LAB-03")
    state.save(tmp_path / "s.json")
    assert EmulatorState.load(tmp_path / "s.json").t.sections[section.id].sis_id == "LAB-03"
    saved = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    for row in saved["tables"]["sections"]:
        del row["sis_id"]  # a state file written before sections had SIS ids
    (tmp_path / "old.json").write_text(json.dumps(saved), encoding="utf-8")
    old = EmulatorState.load(tmp_path / "old.json")
    assert [s.sis_id for s in old.t.sections.values()] == [None] * len(saved["tables"]["sections"])


def test_state_file_shared_between_servers(sandbox_factory: SandboxFactory,
                                           tmp_path: Path) -> None:
    path = tmp_path / "canvas.json"
    first = sandbox_factory(state_file=path)
    created = Api(first).ok("POST", "/courses/101/group_categories", data={"name": "Kept"})
    first.stop()
    second = sandbox_factory(state_file=path)
    assert Api(second).ok("GET", f"/group_categories/{created['id']}")["name"] == "Kept"
    assert [e.kind for e in second.state.write_log] == ["create_group_category"]


def test_write_log_records_reads_never_and_membership_changes(sandbox: SandboxServer) -> None:
    api = Api(sandbox)
    api.get("/courses/101/groups", params={"include[]": "users"})
    assert sandbox.state.write_log == []
    api.put(f"/groups/{PAIR1}", data=[("members[]", "1002"), ("members[]", "1003")])
    api.put(f"/groups/{PAIR1}", data={"leader[id]": "1009"})
    event, failed = sandbox.state.write_log
    assert (event.kind, event.status, event.added, event.removed) == (
        "set_members", 200, [1003], [1001])
    assert event.moved_out == [[LAB_PAIR_GROUP_IDS["Pair 2"], 1003]]
    assert event.ids == {"category_id": 502, "group_id": PAIR1}
    assert (failed.kind, failed.status) == ("update_group", 400)


def _post_import(server: SandboxServer) -> int:
    response = post_csv(Api(server), 502, "canvas_user_id,group_name\n1001,Pair 2\n")
    pid: int = response.json()["id"]
    return pid


def test_progress_rows_are_saved_and_a_read_that_ends_a_job_saves(
        sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    path = tmp_path / "canvas.json"
    clock = ManualClock()
    first = sandbox_factory(state=seed_demo_state(clock), state_file=path)
    pid = _post_import(first)
    clock.advance(0.2)
    done = progress(Api(first), pid)  # a GET: the job ends and the state is saved
    first.stop()
    assert done["workflow_state"] == "completed"
    second = sandbox_factory(state_file=path)
    assert progress(Api(second), pid) == {**done, "url": f"{second.base_url}/api/v1/progress/{pid}"}
    assert second.state.member_ids(PAIR1) == {1002}
    assert second.state.t.import_jobs == {}


def test_a_pending_import_survives_a_restart(sandbox_factory: SandboxFactory,
                                             tmp_path: Path) -> None:
    path = tmp_path / "canvas.json"
    before = ManualClock()
    before.advance(1000)  # the saving process's monotonic time means nothing to the next
    first = sandbox_factory(state=seed_demo_state(before), state_file=path)
    pid = _post_import(first)
    first.stop()
    clock = ManualClock()
    second = sandbox_factory(state=EmulatorState.load(path, clock), state_file=path)
    assert progress(Api(second), pid)["workflow_state"] == "running"  # started over
    clock.advance(0.2)
    assert progress(Api(second), pid)["workflow_state"] == "completed"
    assert second.state.member_ids(PAIR1) == {1002}


def test_state_files_from_before_progress_rows_load(tmp_path: Path) -> None:
    state = seed_demo_state()
    state.save(tmp_path / "s.json")
    saved = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    for table in ("progress", "import_jobs"):
        del saved["tables"][table]
    del saved["counters"]["progress"]
    (tmp_path / "old.json").write_text(json.dumps(saved), encoding="utf-8")
    old = EmulatorState.load(tmp_path / "old.json")
    assert (old.t.progress, old.t.import_jobs, old.counters["progress"]) == ({}, {}, 7001)
