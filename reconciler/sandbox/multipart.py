"""`multipart/form-data` bodies and `Content-Type` parameters, with the standard library's
email parser (as Rack reads them for Rails).

A part with a filename is a file upload; any other part is an ordinary parameter. A body
that does not parse as multipart gives no parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser


@dataclass(frozen=True)
class Upload:
    """An uploaded file (Rack's UploadedFile)."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class FormData:
    fields: list[tuple[str, str]]
    files: dict[str, Upload]


def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """`media_type` (lower-cased) and `media_type_params`; ("", {}) when there is none."""
    if not content_type.strip():
        return "", {}
    message = Message()
    message["content-type"] = content_type
    params = {str(k).lower(): str(v) for k, v in message.get_params(failobj=[])[1:]}
    return content_type.split(";")[0].strip().lower(), params


def parse_form_data(content_type: str, body: bytes) -> FormData:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("utf-8", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    form = FormData([], {})
    if not message.is_multipart():
        return form
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = part.get_payload(decode=True)
        payload = data if isinstance(data, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            form.fields.append((name, payload.decode("utf-8", errors="replace")))
        else:
            form.files[name] = Upload(filename, part.get_content_type(), payload)
    return form
