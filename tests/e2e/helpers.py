"""Helpers for end-to-end tests: run the CLI against a sandbox and read Canvas back over HTTP."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import requests
from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.sandbox import SandboxServer


def run(server: SandboxServer, *args: str, input: str | None = None,
        token: str | None = None) -> Result:
    env = {"CANVAS_BASE_URL": server.base_url, "CANVAS_API_TOKEN": token or server.token}
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def write_spec(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def canvas_get(server: SandboxServer, path: str, **params: Any) -> Any:
    """Every page of a Canvas list (or one object), read the way any client would."""
    headers = {"Authorization": f"Bearer {server.token}"}
    url: str | None = f"{server.base_url}/api/v1/{path}"
    items: list[Any] = []
    first = True
    while url:
        resp = requests.get(url, headers=headers, params=params if first else None, timeout=10)
        resp.raise_for_status()
        body = resp.json()
        if not isinstance(body, list):
            return body
        items.extend(body)
        url = resp.links.get("next", {}).get("url")
        first = False
    return items


def categories(server: SandboxServer, course: int = 101) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in canvas_get(server, f"courses/{course}/group_categories")}


def groups_of(server: SandboxServer, category_id: int) -> dict[str, dict[str, Any]]:
    return {g["name"]: g for g in canvas_get(server, f"group_categories/{category_id}/groups")}


def member_logins(server: SandboxServer, group_id: int) -> set[str]:
    users = canvas_get(server, f"groups/{group_id}/users")
    return {u["login_id"] for u in users}


def snapshot(server: SandboxServer, category_name: str, course: int = 101) -> dict[str, Any]:
    """A category with its groups and members, for 'was this touched?' comparisons."""
    cat = categories(server, course)[category_name]
    groups = groups_of(server, cat["id"])
    return {"category": cat,
            "groups": {n: (g, sorted(member_logins(server, g["id"]))) for n, g in groups.items()}}
