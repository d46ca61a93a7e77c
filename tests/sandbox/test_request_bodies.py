"""Request bodies the emulator reads (form, JSON, multipart, raw text) and raw answers."""

from __future__ import annotations

import requests

from reconciler.sandbox.app import response_outcome
from reconciler.sandbox.http import parse_request
from reconciler.sandbox.multipart import media_type
from reconciler.sandbox.router import Response


def _parse(prepared: requests.PreparedRequest) -> tuple[str, bytes]:
    body = prepared.body
    assert isinstance(body, bytes)
    return prepared.headers["Content-Type"], body


def test_multipart_fields_are_parameters_and_file_parts_are_files() -> None:
    prepared = requests.Request("POST", "http://x/api/v1/a", data={"name": "Set", "n[]": "1"},
                                files={"attachment": ("g.csv", b"a,b\r\n\xff\n", "text/csv")}
                                ).prepare()
    content_type, body = _parse(prepared)
    request = parse_request("POST", "/api/v1/a", {"Content-Type": content_type}, body)
    assert (request.params.get("name"), request.params.get_list("n")) == ("Set", ["1"])
    upload = request.files["attachment"]
    assert (upload.filename, upload.content_type, upload.data) == (
        "g.csv", "text/csv", b"a,b\r\n\xff\n")
    assert request.body == body


def test_a_text_body_is_no_parameters_but_is_kept_raw() -> None:
    body = b"name=not,a,form\n"
    request = parse_request("POST", "/api/v1/a", {"Content-Type": "text/csv"}, body)
    assert (request.params.pairs, request.files, request.body) == ([], {}, body)
    form = parse_request("POST", "/api/v1/a", {}, b"name=Set")
    assert form.params.get("name") == "Set"


def test_media_type_and_its_parameters() -> None:
    assert media_type('Text/CSV; Charset="ISO-8859-1"') == ("text/csv",
                                                            {"charset": "ISO-8859-1"})
    assert media_type("") == ("", {})


def test_a_bytes_response_goes_out_as_it_is() -> None:
    outcome = response_outcome(Response(b"a,b\n", headers={"X-A": "1"}, content_type="text/csv"))
    assert (outcome.status, outcome.body, outcome.headers) == (
        200, b"a,b\n", {"Content-Type": "text/csv", "X-A": "1"})
    json_outcome = response_outcome(Response({"ok": True}))
    assert (json_outcome.body, json_outcome.headers["Content-Type"]) == (
        b'{"ok": true}', "application/json; charset=utf-8")
