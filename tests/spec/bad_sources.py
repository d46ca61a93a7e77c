"""Bad-spec corpus for the member sources (rosters, members_from, assign, members_allowed):
(id, yaml text, where the problem is as `file:line[:column]`, message fragment)."""

from __future__ import annotations

H = "course: 101\ngroup_sets:\n"
S = H + "  - name: Teams\n"                          # set keys on line 4+, column 5
G = S + "    groups:\n      - name: T1\n"            # group T1 on line 5; its keys on line 6+


def assign(body: str) -> str:
    return S + "    assign: {" + body + "}\n"        # assign's keys on line 4 from column 14


# Found when the spec is loaded (tests read roster files from tests/spec/fixtures/).
LOAD_CASES: list[tuple[str, str, str, str]] = [
    # --- paths
    ("roster-escapes-repo", S + "    roster: ../../../../outside.csv\n", "bad.yaml:4:13",
     "'../../../../outside.csv' leads outside the spec's repository"),
    ("roster-absolute", S + "    roster: /etc/passwd\n", "bad.yaml:4:13",
     "'/etc/passwd' is an absolute path; write it relative to the spec file"),
    ("roster-home", S + "    roster: ~/teams.csv\n", "bad.yaml:4:13", "is an absolute path"),
    ("roster-missing-file", S + "    roster: rosters/nope.csv\n", "bad.yaml:4:13",
     "the roster file 'rosters/nope.csv' does not exist"),
    ("members-from-missing-file", G + "        members_from: {file: rosters/nope.csv}\n",
     "bad.yaml:6:30", "does not exist (looked for rosters/nope.csv)"),
    ("members-from-empty-path", G + "        members_from: ''\n", "bad.yaml:6:23",
     "the file name is empty"),
    # --- CSV contents, at file:line
    ("csv-missing-member-column", G + "        members_from: rosters/other-columns.csv\n",
     "rosters/other-columns.csv:1",
     "the member column 'login_id' is not in the header (columns: team, student)"),
    ("csv-missing-named-column", G + "        members_from: {file: rosters/team1.csv, "
     "column: email}\n", "rosters/team1.csv:1", "the member column 'email' is not in the"),
    ("csv-missing-group-column", S + "    roster: rosters/team1.csv\n", "rosters/team1.csv:1",
     "the group column 'group' is not in the header (columns: login_id)"),
    ("csv-empty-member", S + "    roster: rosters/empty-member.csv\n",
     "rosters/empty-member.csv:3", "empty 'login_id' on this row; every row needs a member"),
    ("csv-empty-group", S + "    roster: rosters/empty-group.csv\n", "rosters/empty-group.csv:2",
     "empty 'group' on this row; every row needs a group"),
    ("csv-bad-encoding", G + "        members_from: rosters/latin1.csv\n", "rosters/latin1.csv:3",
     "the file is not UTF-8 text: byte 0xe9 cannot be decoded"),
    ("csv-canvas-id-text", S + "    roster: {file: rosters/bad-canvas-id.csv, member_column: "
     "canvas_id}\n",
     "rosters/bad-canvas-id.csv:2", "'canvas_id' must be a Canvas user id (a number), got 'abc'"),
    # --- where members come from
    ("members-and-members-from", G + "        members: [s01]\n        members_from: "
     "rosters/team1.csv\n", "bad.yaml:7:23", "members and members_from are both given"),
    ("roster-and-group-members", S + "    roster: rosters/teams.csv\n    groups:\n"
     "      - name: Team 1\n        members: [s01]\n", "bad.yaml:7:18",
     "members is given, but this set's members come from its roster"),
    ("members-from-unknown-key", G + "        members_from: {file: a.csv, colum: x}\n",
     "bad.yaml:6:37", "unknown key 'colum' — did you mean 'column'?"),
    ("roster-unknown-key", S + "    roster: {file: a.csv, group: team}\n", "bad.yaml:4:27",
     "unknown key 'group' (allowed: file, group_column, member_column, member_kind)"),
    ("members-from-bad-kind", G + "        members_from: {file: a.csv, member_kind: name}\n",
     "bad.yaml:6:50", "use one of: null, login_id, sis_user_id, email, canvas_id"),
    # --- assign
    ("assign-size-and-groups", assign("group_size: 4, groups: 3, seed: x"), "bad.yaml:4:37",
     "give group_size or groups, not both"),
    ("assign-size-one", assign("group_size: 1, seed: x"), "bad.yaml:4:26",
     "group_size must be at least 2, got 1"),
    ("assign-groups-zero", assign("groups: 0, seed: x"), "bad.yaml:4:22",
     "groups must be at least 1, got 0"),
    ("assign-unknown-strategy", assign("strategy: shuffle, groups: 2, seed: x"), "bad.yaml:4:24",
     "strategy: 'shuffle' is not allowed; use one of: random, balanced, by_section"),
    ("assign-no-size", assign("seed: x"), "bad.yaml:4:13",
     "assign (random) needs group_size or groups"),
    ("assign-no-seed", assign("strategy: balanced, groups: 2"), "bad.yaml:4:13",
     "assign (balanced) needs a seed"),
    ("assign-size-text", assign("group_size: four, seed: x"), "bad.yaml:4:26",
     "group_size: expected a whole number, got 'four'"),
    ("by-section-with-size", assign("strategy: by_section, group_size: 4"), "bad.yaml:4:48",
     "group_size does not apply to by_section"),
    ("members-and-assign", S + "    assign: {groups: 2, seed: x}\n    groups:\n"
     "      - name: T1\n        members: [s01]\n", "bad.yaml:6:7",
     "members and assign are both given"),
    ("roster-and-assign", S + "    roster: rosters/teams.csv\n    assign: {groups: 2, seed: x}\n",
     "bad.yaml:4:13", "roster and assign are both given"),
    ("assign-name-without-n", assign("groups: 2, seed: x, name: Team"), "bad.yaml:4:40",
     "the name needs {n}"),
    ("assign-name-unknown-placeholder", assign("groups: 2, seed: x, name: 'Team {team}'"),
     "bad.yaml:4:40", "unknown placeholder {team} in the name"),
    ("by-section-name-without-section", assign("strategy: by_section, name: Lab"),
     "bad.yaml:4:42", "the name needs {section}"),
    ("assign-section-placeholder-random", assign("groups: 2, seed: x, name: '{section} {n}'"),
     "bad.yaml:4:40", "{section} is only known with strategy by_section"),
    ("assign-unknown-key", assign("groups: 2, seed: x, size: 3"), "bad.yaml:4:34",
     "unknown key 'size'"),
    ("assign-from-unknown-key", assign("groups: 2, seed: x, from: {type: ta}"), "bad.yaml:4:41",
     "unknown key 'type'"),
    ("assign-from-role-not-allowed", assign("groups: 2, seed: x, from: {enrollment_type: ta}"),
     "bad.yaml:4:58", "enrollment_type 'ta' is not in this set's members_allowed (student)"),
    ("assign-not-mapping", S + "    assign: random\n", "bad.yaml:4:13",
     "assign: expected a mapping"),
    # --- members_allowed
    ("members-allowed-enum", S + "    members_allowed: [student, admin]\n", "bad.yaml:4:32",
     "member role: 'admin' is not allowed; use one of: student, ta, teacher, observer, designer"),
    ("members-allowed-text", S + "    members_allowed: student\n", "bad.yaml:4:22",
     "members_allowed: expected a list, got 'student'"),
]

# Found when the spec is resolved against the roster (with sections Lab 01 and Lab 02).
RESOLVE_CASES: list[tuple[str, str, str, str]] = [
    ("by-section-unknown-section", assign("strategy: by_section, from: {section: Lab 03}"),
     "bad.yaml:4:52", "no section named 'Lab 03' in the course (sections: Lab 01, Lab 02)"),
    ("csv-unknown-member", S + "    roster: rosters/unknown-member.csv\n",
     "rosters/unknown-member.csv:3", "no user in the course has login_id 's99'"),
    ("csv-member-twice", S + "    roster: rosters/teams-twice.csv\n",
     "rosters/teams-twice.csv:3", "is the same Canvas user as the member on line 2"),
    ("yaml-member-not-allowed-role", S + "    members_allowed: [ta]\n    groups:\n"
     "      - name: T1\n        members: [s01]\n", "bad.yaml:7:19",
     "is not in a role this set allows (enrolled as StudentEnrollment); allowed: TaEnrollment"),
]
