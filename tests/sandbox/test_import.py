"""The group CSV import: the endpoint, the job's life on the emulated clock, its failures
and knobs, and GET /progress (Q-CSV-IMPORT, Q-IMPORT-STRAND, Q-CSV-IMPORT-FAILURES,
Q-PROGRESS; docs/canvas-quirks.md). Row semantics are in test_import_rows.py."""

from __future__ import annotations

import json
import re

import pytest

from reconciler.sandbox import (
    ImportConfig,
    ManualClock,
    SandboxServer,
    ThrottleConfig,
    seed_demo_state,
)
from reconciler.sandbox.errors import CATEGORY_NOT_FOUND, NOT_FOUND, PROTECTED_CATEGORY
from reconciler.sandbox.jobs import enqueue_import, run_due_jobs
from reconciler.sandbox.seed import (
    EMPTY_COURSE_ID,
    LAB_PAIR_GROUP_IDS,
    LAB_PAIRS_CATEGORY_ID,
    STUDENT_GROUPS_CATEGORY_ID,
)
from tests.conftest import SandboxFactory
from tests.sandbox.helpers import Api, post_csv, progress

PAIRS = LAB_PAIRS_CATEGORY_ID
PAIR1, PAIR2 = LAB_PAIR_GROUP_IDS["Pair 1"], LAB_PAIR_GROUP_IDS["Pair 2"]
MOVE_1001 = "canvas_user_id,group_name\n1001,Pair 2\n"
UNEXPECTED = re.compile(r"Unexpected error, ID: \d+")


def imported(groups: int, users: int, error: str | None = None) -> str:
    return json.dumps({"type": "import_groups", "groups": groups, "users": users,
                       "error": error}, separators=(",", ":"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def server(sandbox_factory: SandboxFactory, clock: ManualClock) -> SandboxServer:
    return sandbox_factory(state=seed_demo_state(clock))


@pytest.fixture
def api(server: SandboxServer) -> Api:
    return Api(server)


def test_raw_body_import_answers_a_queued_progress(server: SandboxServer, api: Api,
                                                   clock: ManualClock) -> None:
    response = post_csv(api, PAIRS, MOVE_1001)
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": body["id"], "context_id": PAIRS, "context_type": "GroupCategory",
        "user_id": None, "tag": "course_group_import", "completion": 0.0,
        "workflow_state": "queued", "message": None, "created_at": "2026-01-05T09:00:00Z",
        "updated_at": "2026-01-05T09:00:00Z",
        "url": f"{server.base_url}/api/v1/progress/{body['id']}",
    }
    clock.advance(0.2)
    done = progress(api, body["id"])
    assert (done["workflow_state"], done["completion"]) == ("completed", 100.0)
    assert done["message"] == imported(groups=1, users=1)
    assert server.state.members_by_group(PAIRS) == {"Pair 1": {1002},
                                                    "Pair 2": {1001, 1003, 1004}}


@pytest.mark.parametrize("content_type", ["text/plain", "text/csv; charset=UTF-8",
                                          "application/octet-stream", ""])
def test_raw_body_of_any_utf8_type_is_a_csv(server: SandboxServer, api: Api,
                                            clock: ManualClock, content_type: str) -> None:
    pid = post_csv(api, PAIRS, MOVE_1001, content_type=content_type).json()["id"]
    clock.advance(0.2)
    assert progress(api, pid)["message"] == imported(groups=1, users=1)


def test_multipart_attachment_import(server: SandboxServer, api: Api,
                                     clock: ManualClock) -> None:
    """The file part `attachment`; its name's extension is compared case-insensitively,
    and other fields (even `extension`) do not matter."""
    response = api.post(f"/group_categories/{PAIRS}/import", data={"extension": "txt"},
                        files={"attachment": ("GROUPS.CSV", MOVE_1001.encode(), "text/csv")})
    assert response.json()["workflow_state"] == "queued"
    clock.advance(0.2)
    assert progress(api, response.json()["id"])["workflow_state"] == "completed"
    assert server.state.member_ids(PAIR2) == {1001, 1003, 1004}


def test_queued_running_completed_on_the_emulated_clock(
        sandbox_factory: SandboxFactory, clock: ManualClock) -> None:
    """Running from the first request after the POST; applied only when it ends."""
    server = sandbox_factory(state=seed_demo_state(clock),
                             import_config=ImportConfig(duration_s=2.0))
    api = Api(server)
    pid = post_csv(api, PAIRS, MOVE_1001).json()["id"]
    running = progress(api, pid)
    assert (running["workflow_state"], running["completion"]) == ("running", 0.0)
    clock.advance(1.9)
    assert progress(api, pid)["workflow_state"] == "running"
    assert server.state.member_ids(PAIR1) == {1001, 1002}  # nothing applied yet
    clock.advance(0.1)
    done = progress(api, pid)
    assert (done["workflow_state"], done["updated_at"]) == ("completed", "2026-01-05T09:00:02Z")
    assert server.state.member_ids(PAIR1) == {1002}


def test_imports_of_one_course_run_one_at_a_time_in_arrival_order(
        server: SandboxServer, api: Api, clock: ManualClock) -> None:
    other = server.state.create_category(EMPTY_COURSE_ID, "Elsewhere")
    first = post_csv(api, PAIRS, "canvas_user_id,group_name\n1001,A\n").json()["id"]
    second = post_csv(api, PAIRS, "canvas_user_id,group_name\n1001,B\n").json()["id"]
    elsewhere = post_csv(api, other.id, "login_id,group_name\ne01,C\n").json()["id"]
    states = [progress(api, p)["workflow_state"] for p in (first, second, elsewhere)]
    assert states == ["running", "queued", "running"]  # another course has its own queue
    clock.advance(0.2)
    states = [progress(api, p)["workflow_state"] for p in (first, second, elsewhere)]
    assert states == ["completed", "running", "completed"]
    clock.advance(0.2)
    assert progress(api, second)["workflow_state"] == "completed"
    assert server.state.members_by_group(PAIRS)["B"] == {1001}
    assert server.state.members_by_group(PAIRS)["A"] == set()


def test_a_late_poll_plays_the_whole_queue(server: SandboxServer, api: Api,
                                           clock: ManualClock) -> None:
    """Each job starts when the one before it ended, even when nobody looked in between."""
    pids = [post_csv(api, PAIRS, f"canvas_user_id,group_name\n1001,G{n}\n").json()["id"]
            for n in range(3)]
    clock.advance(0.5)  # two have ended; the third started at 0.4
    assert [progress(api, p)["workflow_state"] for p in pids] == [
        "completed", "completed", "running"]
    clock.advance(0.1)
    assert progress(api, pids[2])["workflow_state"] == "completed"


NOT_CSV = "Only CSV files are supported."
FAILED_FILES = [
    pytest.param({"files": {"attachment": ("groups.txt", MOVE_1001.encode())}},
                 imported(0, 0, NOT_CSV), id="not .csv"),
    pytest.param({"files": {"attachment": ("groups", MOVE_1001.encode())}},
                 imported(0, 0, NOT_CSV), id="no extension"),
    pytest.param({"files": {"attachment": (".csv", MOVE_1001.encode())}},
                 imported(0, 0, NOT_CSV), id="a dot file has no extension"),
    pytest.param({"data": {"attachment": MOVE_1001}}, imported(0, 0, NOT_CSV),
                 id="attachment not a file"),
    pytest.param({"data": "login_id,group_name\nJos\xe9,A\n".encode("latin-1"),
                  "headers": {"Content-Type": "text/csv"}},
                 imported(0, 0, "Invalid UTF-8"), id="invalid UTF-8"),
    pytest.param({"files": {"attachment": ("g.txt", b"\xff\xfe")}},
                 imported(0, 0, "Invalid UTF-8"), id="both: the last check's message wins"),
]


@pytest.mark.parametrize(("request_kwargs", "message"), FAILED_FILES)
def test_a_refused_file_fails_the_job(server: SandboxServer, api: Api, clock: ManualClock,
                                      request_kwargs: dict[str, object], message: str) -> None:
    response = api.post(f"/group_categories/{PAIRS}/import", **request_kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200
    clock.advance(0.2)
    failed = progress(api, response.json()["id"])
    assert (failed["workflow_state"], failed["completion"]) == ("failed", 0.0)
    assert failed["message"] == message
    assert server.state.member_ids(PAIR1) == {1001, 1002}


def test_malformed_csv_fails_with_an_error_report(server: SandboxServer, api: Api,
                                                  clock: ManualClock) -> None:
    """fail_import("Malformed CSV") is overwritten when the job then crashes."""
    pid = post_csv(api, PAIRS, 'canvas_user_id,group_name\n1001,"Pair 2\n').json()["id"]
    clock.advance(0.2)
    failed = progress(api, pid)
    assert failed["workflow_state"] == "failed"
    assert UNEXPECTED.fullmatch(failed["message"])
    assert server.state.member_ids(PAIR1) == {1001, 1002}
    assert [e.kind for e in server.state.write_log] == ["queue_group_category_import"]


def test_bad_requests_make_no_progress(server: SandboxServer, api: Api) -> None:
    charset = post_csv(api, PAIRS, MOVE_1001, content_type="text/csv; charset=ISO-8859-1")
    assert (charset.status_code, charset.json()) == (
        400, {"errors": [{"message": "Invalid content type, UTF-8 required"}]})
    extension = post_csv(api, PAIRS, MOVE_1001, params={"extension": "csv"})
    assert extension.status_code == 500
    assert "error_report_id" in extension.json()
    assert server.state.t.progress == {}


def test_import_target_checks(server: SandboxServer, api: Api, clock: ManualClock) -> None:
    state = server.state
    gone = state.create_category(101, "Gone", deleted_at="2026-01-01T00:00:00Z")
    community = state.create_category(101, "Clubs", role="communities")
    for category_id in (999, gone.id):
        response = post_csv(api, category_id, MOVE_1001)
        assert (response.status_code, response.json()) == (404, CATEGORY_NOT_FOUND)
    response = post_csv(api, community.id, MOVE_1001)
    assert (response.status_code, response.json()) == (401, PROTECTED_CATEGORY)
    imported_role = state.create_category(101, "Imported", role="imported")
    for category_id in (STUDENT_GROUPS_CATEGORY_ID, imported_role.id):  # both allowed
        assert post_csv(api, category_id, MOVE_1001).status_code == 200
    by_sis = state.create_category(101, "By SIS", sis_id="SET-1")
    assert post_csv(api, "sis_group_category_id:SET-1", MOVE_1001).json()[  # type: ignore[arg-type]
        "context_id"] == by_sis.id


def test_fail_next_fails_the_next_imports_after_their_duration(
        sandbox_factory: SandboxFactory, clock: ManualClock) -> None:
    server = sandbox_factory(state=seed_demo_state(clock),
                             import_config=ImportConfig(fail_next=1))
    api = Api(server)
    doomed = post_csv(api, PAIRS, MOVE_1001).json()["id"]
    fine = post_csv(api, PAIRS, MOVE_1001).json()["id"]
    assert progress(api, doomed)["workflow_state"] == "running"
    clock.advance(0.2)
    failed = progress(api, doomed)
    assert failed["workflow_state"] == "failed"
    assert UNEXPECTED.fullmatch(failed["message"])
    clock.advance(0.2)
    assert progress(api, fine)["workflow_state"] == "completed"
    server.state.import_config.fail_next = 1  # knobs change at run time
    again = post_csv(api, PAIRS, MOVE_1001).json()["id"]
    clock.advance(0.2)
    assert progress(api, again)["workflow_state"] == "failed"
    kinds = [e.kind for e in server.state.write_log if e.kind == "import_group_category"]
    assert kinds == ["import_group_category"]  # only the import that applied


def test_stall_keeps_an_import_running_forever(server: SandboxServer, api: Api,
                                               clock: ManualClock) -> None:
    server.state.import_config.stall = True
    stalled = post_csv(api, PAIRS, MOVE_1001).json()["id"]
    server.state.import_config.stall = False
    behind = post_csv(api, PAIRS, MOVE_1001).json()["id"]
    clock.advance(3600)
    still = progress(api, stalled)
    assert (still["workflow_state"], still["completion"]) == ("running", 0.0)
    assert progress(api, behind)["workflow_state"] == "queued"  # the course's queue is held
    assert server.state.member_ids(PAIR1) == {1001, 1002}


def test_progress_lookup_and_cancel(server: SandboxServer, api: Api) -> None:
    for ref in ("999999", "abc"):
        response = api.get(f"/progress/{ref}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    pid = post_csv(api, PAIRS, MOVE_1001).json()["id"]
    assert api.post(f"/progress/{pid}/cancel").status_code == 403  # an import has no user
    assert api.post("/progress/999999/cancel").status_code == 404
    assert progress(api, pid)["workflow_state"] == "running"


def test_the_post_costs_a_write_and_the_job_nothing(sandbox_factory: SandboxFactory,
                                                    clock: ManualClock) -> None:
    frozen = ManualClock()  # the throttle's own clock: nothing leaks
    server = sandbox_factory(state=seed_demo_state(clock),
                             throttle=ThrottleConfig(clock=frozen.monotonic))
    api = Api(server)
    post = post_csv(api, PAIRS, MOVE_1001)
    assert (post.headers["X-Request-Cost"], post.headers["X-Rate-Limit-Remaining"]) == (
        "0.3", "599.7")
    clock.advance(0.2)
    poll = api.get(f"/progress/{post.json()['id']}")
    assert poll.json()["workflow_state"] == "completed"
    assert (poll.headers["X-Request-Cost"], poll.headers["X-Rate-Limit-Remaining"]) == (
        "0.1", "599.6")


def test_write_log_has_the_post_and_the_applied_import(server: SandboxServer, api: Api,
                                                       clock: ManualClock) -> None:
    pid = post_csv(api, PAIRS, "canvas_user_id,group_name\n1001,Pair 2\n1002,Pair 1\n"
                               "1005,Pair 1\n").json()["id"]
    clock.advance(0.2)
    api.get("/courses/101")  # any request runs the job
    post, job = server.state.write_log
    assert (post.kind, post.status, post.ids) == (
        "queue_group_category_import", 200, {"category_id": PAIRS, "progress_id": pid})
    assert (job.method, job.path, job.status, job.kind) == (
        "POST", f"/api/v1/group_categories/{PAIRS}/import", 200, "import_group_category")
    assert job.ids == {"category_id": PAIRS, "progress_id": pid}
    # 1002 was re-inserted into its own group: neither added nor moved
    assert (job.added, job.removed, job.moved_out) == ([1001, 1005], [], [[PAIR1, 1001]])


def test_jobs_run_without_http() -> None:
    """Tests that seed and inspect the state directly play the queue themselves."""
    clock = ManualClock()
    state = seed_demo_state(clock)
    queued = enqueue_import(state, state.t.categories[PAIRS], "g.csv", MOVE_1001.encode())
    assert queued.workflow_state == "queued"
    assert run_due_jobs(state) and queued.workflow_state == "running"
    clock.advance(0.2)
    assert run_due_jobs(state) and queued.workflow_state == "completed"
    assert not run_due_jobs(state)  # nothing left to do
    assert state.member_ids(PAIR1) == {1002}


def test_a_pending_import_shows_in_the_category_only_when_asked_for(
        api: Api, clock: ManualClock) -> None:
    """`includes[]=progress_url` adds `progress` while an import waits or runs (Q-PROGRESS)."""
    def listed(*includes: str) -> dict[str, object]:
        rows = api.ok("GET", "/courses/101/group_categories",
                      params=[("includes[]", i) for i in includes])
        return next(c for c in rows if c["id"] == PAIRS)

    queued = post_csv(api, PAIRS, MOVE_1001).json()
    assert "progress" not in listed()
    shown = listed("progress_url")["progress"]
    assert isinstance(shown, dict) and shown["id"] == queued["id"]
    assert shown["workflow_state"] == "running"  # started by the next request
    clock.advance(0.2)
    progress(api, queued["id"])  # the job ends
    assert "progress" not in listed("progress_url")
