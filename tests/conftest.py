"""Shared fixtures: a started Canvas emulator over loopback HTTP.

- `sandbox`: a `SandboxServer` seeded with the demo state (see reconciler.sandbox.seed),
  started for one test and stopped afterwards. Seed and inspect through `sandbox.state`;
  talk HTTP to `sandbox.base_url` with token `sandbox.token`.
- `sandbox_factory(**kwargs)`: start more servers with any `SandboxServer` keyword
  arguments (state, latency_ms, throttle, fail_rate, fail_seed, state_file, token, ...);
  all are stopped at teardown.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import settings

from reconciler.sandbox import SandboxServer

# In CI the properties run derandomized: every run explores the same examples, so a result
# is reproducible. By hand they explore new examples each run (and keep failures in
# .hypothesis/), which is where new counterexamples are found.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SandboxFactory = Callable[..., SandboxServer]


@pytest.fixture
def sandbox_factory() -> Iterator[SandboxFactory]:
    servers: list[SandboxServer] = []

    def make(**kwargs: Any) -> SandboxServer:
        server = SandboxServer(**kwargs).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> SandboxServer:
    return sandbox_factory()
