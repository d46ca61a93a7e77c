"""The Canvas emulator: a stateful HTTP server speaking Canvas's REST dialect for group sets,
groups, memberships and course rosters (see docs/emulator.md).

Stands apart from the rest of reconciler: it imports nothing from `reconciler.canvas`,
`reconciler.engine` or `reconciler.cli`, and uses only the standard library for HTTP.
"""

from reconciler.sandbox.clock import Clock, ManualClock, SystemClock
from reconciler.sandbox.entities import (
    Course,
    Enrollment,
    Group,
    GroupCategory,
    Membership,
    Progress,
    Section,
    User,
    WriteEvent,
)
from reconciler.sandbox.faults import FaultInjector
from reconciler.sandbox.import_config import ImportConfig
from reconciler.sandbox.seed import seed_demo_state
from reconciler.sandbox.server import SandboxServer
from reconciler.sandbox.state import EmulatorState
from reconciler.sandbox.throttle import ThrottleConfig

__all__ = [
    "Clock",
    "Course",
    "EmulatorState",
    "Enrollment",
    "FaultInjector",
    "Group",
    "GroupCategory",
    "ImportConfig",
    "ManualClock",
    "Membership",
    "Progress",
    "SandboxServer",
    "Section",
    "SystemClock",
    "ThrottleConfig",
    "User",
    "WriteEvent",
    "seed_demo_state",
]
