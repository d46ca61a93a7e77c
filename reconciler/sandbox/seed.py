"""The demo Canvas: `seed_demo_state()` and the facts about it as importable constants.

Course 101 "Demo Course (sandbox)" (SIS DEMO-101) with sections "Lab 01" and "Lab 02";
36 active students s01..s36 (made-up names, alternating sections), invited-only s37,
concluded s38, teacher t01, TA ta01 (limited to Lab 02; its token `sandbox-ta-token` is a
section-limited caller) and a test student; categories "Student Groups"
(student_organized, protected, one group) and the unmanaged "Lab Pairs" ("Pair 1" = s01+s02,
"Pair 2" = s03+s04). Course 202 "Empty Course (sandbox)" with students e01..e05.
"""

from __future__ import annotations

from reconciler.sandbox.clock import Clock
from reconciler.sandbox.state import EmulatorState

DEMO_COURSE_ID = 101
DEMO_COURSE_NAME = "Demo Course (sandbox)"
DEMO_COURSE_SIS_ID = "DEMO-101"
DEMO_SECTIONS = ("Lab 01", "Lab 02")
DEMO_SECTION_IDS = {"Lab 01": 11, "Lab 02": 12}
DEMO_STUDENT_COUNT = 36
EMAIL_DOMAIN = "example.edu"

# User ids: student sNN → 1000 + NN (s01 → 1001, s37 → 1037, s38 → 1038).
TEACHER_LOGIN, TEACHER_ID = "t01", 1100
TA_LOGIN, TA_ID = "ta01", 1101  # TA in Lab 02, limited to that section
TA_TOKEN = "sandbox-ta-token"  # the TA's own made-up token: a section-limited caller
TEST_STUDENT_ID = 1102  # StudentViewEnrollment, hidden from rosters by default
TEST_STUDENT_NAME = "Test Student"

STUDENT_GROUPS_CATEGORY = "Student Groups"  # role student_organized, protected
STUDENT_GROUPS_CATEGORY_ID = 501
STUDY_CIRCLE_GROUP = "Study Circle"  # its one group: s05, s06
STUDY_CIRCLE_GROUP_ID = 601
LAB_PAIRS_CATEGORY = "Lab Pairs"  # unmanaged by any spec
LAB_PAIRS_CATEGORY_ID = 502
LAB_PAIRS = {"Pair 1": ("s01", "s02"), "Pair 2": ("s03", "s04")}
LAB_PAIR_GROUP_IDS = {"Pair 1": 602, "Pair 2": 603}

EMPTY_COURSE_ID = 202
EMPTY_COURSE_NAME = "Empty Course (sandbox)"
EMPTY_COURSE_SIS_ID = "EMPTY-202"
EMPTY_COURSE_SECTION = "Empty Course (sandbox)"
EMPTY_COURSE_LOGINS = tuple(f"e{n:02d}" for n in range(1, 6))  # user ids 1201..1205

FIRST_NAMES = ("Quilla", "Bramwell", "Zephyrine", "Orlo", "Tindra", "Fennick",
               "Marzipan", "Ozric", "Perridee", "Wystan", "Yolaine", "Grimble")
LAST_NAMES = ("Thistlewood", "Quackenbrush", "Moonwhistle", "Puddingstone", "Fizzlebottom",
              "Larkspurrow", "Snickerdoodle", "Bumblethorn", "Cobblewick", "Dinglemoor",
              "Frostwhisker", "Gobbleston")


def student_login(number: int) -> str:
    return f"s{number:02d}"


def student_id(number: int) -> int:
    return 1000 + number


def student_sis_id(number: int) -> str:
    """s01 → "20260001"."""
    return f"2026{number:04d}"


def student_name(number: int) -> str:
    """Invented names, unique across s01..s38."""
    i = number - 1
    return f"{FIRST_NAMES[i % 12]} {LAST_NAMES[(i + i // 12) % 12]}"


def student_email(login: str) -> str:
    return f"{login}@{EMAIL_DOMAIN}"


DEMO_USER_IDS: dict[str, int] = {
    **{student_login(n): student_id(n) for n in range(1, 39)},
    TEACHER_LOGIN: TEACHER_ID,
    TA_LOGIN: TA_ID,
    **{login: 1200 + n for n, login in enumerate(EMPTY_COURSE_LOGINS, start=1)},
}


def seed_demo_state(clock: Clock | None = None) -> EmulatorState:
    state = EmulatorState(clock)
    _seed_demo_course(state)
    _seed_demo_groups(state)
    _seed_empty_course(state)
    return state


def _seed_demo_course(state: EmulatorState) -> None:
    course = state.add_course(DEMO_COURSE_NAME, sis_course_id=DEMO_COURSE_SIS_ID,
                              course_code="DEMO 101", id=DEMO_COURSE_ID)
    sections = [state.add_section(course.id, name, id=DEMO_SECTION_IDS[name])
                for name in DEMO_SECTIONS]
    for number in range(1, 39):
        login = student_login(number)
        user = state.add_user(student_name(number), login_id=login,
                              sis_user_id=student_sis_id(number), email=student_email(login),
                              id=student_id(number))
        enrollment_state = {37: "invited", 38: "completed"}.get(number, "active")
        state.enroll(user.id, course.id, "StudentEnrollment", enrollment_state,
                     sections[(number - 1) % 2].id)
    staff = ((TEACHER_ID, "Professor Plumtart", TEACHER_LOGIN, "TeacherEnrollment", 0),
             (TA_ID, "Assistant Wobblesworth", TA_LOGIN, "TaEnrollment", 1))
    for user_id, name, login, kind, section in staff:
        state.add_user(name, login_id=login, sis_user_id=None, email=student_email(login),
                       id=user_id)
        state.enroll(user_id, course.id, kind, "active", sections[section].id,
                     section_limited=user_id == TA_ID)
    state.user_tokens[TA_TOKEN] = TA_ID
    state.add_user(TEST_STUDENT_NAME, sortable_name="Student, Test", id=TEST_STUDENT_ID)
    state.enroll(TEST_STUDENT_ID, course.id, "StudentViewEnrollment", "active", sections[0].id)


def _seed_demo_groups(state: EmulatorState) -> None:
    student_groups = state.create_category(DEMO_COURSE_ID, STUDENT_GROUPS_CATEGORY,
                                           role="student_organized",
                                           id=STUDENT_GROUPS_CATEGORY_ID)
    circle = state.create_group(student_groups.id, STUDY_CIRCLE_GROUP, id=STUDY_CIRCLE_GROUP_ID,
                                join_level="parent_context_auto_join")
    for number in (5, 6):
        state.add_membership(circle.id, student_id(number))
    pairs = state.create_category(DEMO_COURSE_ID, LAB_PAIRS_CATEGORY, id=LAB_PAIRS_CATEGORY_ID)
    for name, logins in LAB_PAIRS.items():
        group = state.create_group(pairs.id, name, id=LAB_PAIR_GROUP_IDS[name])
        for login in logins:
            state.add_membership(group.id, DEMO_USER_IDS[login])


def _seed_empty_course(state: EmulatorState) -> None:
    course = state.add_course(EMPTY_COURSE_NAME, sis_course_id=EMPTY_COURSE_SIS_ID,
                              course_code="EMPTY 202", id=EMPTY_COURSE_ID)
    section = state.add_section(course.id, EMPTY_COURSE_SECTION)
    for login in EMPTY_COURSE_LOGINS:
        number = int(login[1:])
        user = state.add_user(f"{FIRST_NAMES[-number]} {LAST_NAMES[number]}", login_id=login,
                              sis_user_id=f"2026{9000 + number}", email=student_email(login),
                              id=DEMO_USER_IDS[login])
        state.enroll(user.id, course.id, "StudentEnrollment", "active", section.id)
