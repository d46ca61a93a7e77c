"""Base-URL validation and origin checks: where the token may be sent.

Canvas facts relied on (Q-HTTPS, Q-LINK-ORIGIN; docs/canvas-quirks.md):
all API access is over HTTPS, and plain HTTP is redirected only after the credentials have
already crossed the wire, so a non-loopback http:// base URL is refused outright. Link URLs
are absolute and built from the request's own host, so a next link on another origin means
a proxy or misconfiguration: the token must never follow it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from reconciler.errors import ConfigError

_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_base_url(base_url: str) -> str:
    """Return `scheme://host[:port][/prefix]` without a trailing slash or `/api/v1`.

    Raises ConfigError for anything but https (or http to a loopback host).
    """
    text = base_url.strip()
    parts = urlsplit(text)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ConfigError("Canvas base URL must look like https://canvas.example.edu "
                          f"(got scheme {parts.scheme!r})")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigError("Canvas base URL must not carry credentials, a query or a fragment")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"refusing plain http:// for {parts.hostname}: the API token would travel "
            "unencrypted; use https:// (http is allowed only for loopback hosts)")
    path = parts.path.rstrip("/")
    if path.endswith("/api/v1"):
        path = path[: -len("/api/v1")]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with default ports filled in, for same-origin comparison."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    return scheme, (parts.hostname or "").lower(), port


def resolve_link(current_url: str, link: str) -> str:
    """Resolve a (normally absolute) Link URL against the page it came from."""
    return urljoin(current_url, link)


def display_path(url: str) -> str:
    """The path of a URL without its query string: safe to show in messages."""
    return urlsplit(url).path or "/"


def numbered_pages(current: str, links: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The URLs of pages 2..last when `links` has rel="next" and a numbered rel="last";
    else []. The pages are the last URL with its `page` number changed, every other
    parameter as Canvas wrote it."""
    last = links.get("last", {}).get("url")
    if not last or "next" not in links:
        return []
    parts = urlsplit(resolve_link(current, last))
    query = parse_qsl(parts.query, keep_blank_values=True)
    pages = [v for k, v in query if k == "page"]
    if len(pages) != 1 or not pages[0].isdigit():
        return []  # a bookmark, not a number: follow next instead
    return [urlunsplit(parts._replace(query=urlencode(
        [(k, str(n) if k == "page" else v) for k, v in query])))
        for n in range(2, int(pages[0]) + 1)]
