"""CanvasClient: the one place that sends HTTP to Canvas.

Canvas facts relied on:
- Auth is `Authorization: Bearer <token>`; hosted Canvas rejects requests without a
  User-Agent (Q-BEARER, Q-USER-AGENT; docs/canvas-quirks.md).
- Bodies are form-encoded, arrays as repeated `name[]=` (Q-FORM-ENCODING). DELETE bodies are
  form-encoded too (Q-DELETE-FORM).
- Pagination: `per_page` is clamped to 100; follow the `Link` rel="next" URL verbatim; header
  names may be lower-case; some endpoints send no Link at all (Q-PER-PAGE, Q-LINK,
  Q-HEADER-CASE, Q-NO-LINK).
- Every success is HTTP 200 with a JSON body (Q-SUCCESS-200).
Retry decisions live in retry.py, error translation in translate.py, origin rules in urls.py.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import requests

from reconciler.canvas.bodies import Body, Pairs, Params, RawBody, form_pairs
from reconciler.canvas.pool import DEFAULT_CONCURRENCY, AdaptiveLimit, Pool, Pressure
from reconciler.canvas.retry import RetryPolicy, Wait, decide, parse_float
from reconciler.canvas.translate import (
    error_for_exception,
    error_for_response,
    is_throttled,
    response_message,
    with_attempts,
)
from reconciler.canvas.urls import (
    display_path,
    is_loopback,
    normalise_base_url,
    numbered_pages,
    origin,
    resolve_link,
)
from reconciler.errors import (
    AmbiguousWriteError,
    CanvasError,
    CanvasThrottledError,
    ConfigError,
)
from reconciler.version import __version__

log = logging.getLogger(__name__)

class CanvasClient:
    """Talks to one Canvas origin with one token. Never puts the token in a message."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        user_agent: str | None = None,
        per_page: int = 100,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_wait: Callable[[Wait], None] | None = None,
    ) -> None:
        if not token or not token.strip():
            raise ConfigError("no Canvas API token given (set CANVAS_API_TOKEN)")
        if any(c.isspace() or not c.isprintable() for c in token.strip()):
            # such a token cannot go in a header, and requests' error would quote it
            raise ConfigError("the Canvas API token contains spaces or control characters; "
                              "give the token alone, on one line")
        self.base_url = normalise_base_url(base_url)
        self._origin = origin(self.base_url)
        # A loopback origin (the emulator) is plain http: an HTTP(S)_PROXY from the
        # environment would receive the token in clear text (and cannot reach our loopback)
        self._direct = is_loopback(self._origin[1])
        self._token = token.strip()
        self._user_agent = user_agent or f"reconciler/{__version__} (+python-requests)"
        self._per_page = per_page
        self.retry = retry or RetryPolicy()
        # The pool runs fetch's listings and apply's operations side by side; the limit
        # gates every request of this client, whichever thread sends it (pool.py).
        self.pool = Pool(concurrency)
        self.limiter = AdaptiveLimit(concurrency) if concurrency > 1 else None
        self._session = session or _pooled_session(concurrency)
        self._sleep = sleep
        self._timeout = timeout
        self._on_wait = on_wait  # told before each retry or back-pressure pause

    def __repr__(self) -> str:
        return f"CanvasClient({self.base_url!r})"

    def close(self) -> None:
        """End the worker threads and the pooled connections; the client is then unusable.
        Optional (a client that is dropped is collected), but prompt in a long-lived
        process that makes a client per job."""
        self.pool.close()
        self._session.close()

    def __enter__(self) -> CanvasClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public verbs -------------------------------------------------------------------

    def get(self, path: str, params: Params | None = None) -> Any:
        url = self._url(path)
        response = self._exchange("GET", url, self._get_params(params), None)
        return self._decode("GET", url, response)

    def get_all(self, path: str, params: Params | None = None) -> list[Any]:
        """Every item of a paginated list. When the first page's Link header names the last
        page (numbered pages, Q-LINK), the others are fetched side by side; otherwise
        rel="next" is followed until it is absent (Q-NO-LAST)."""
        first = self._url(path)
        response = self._exchange("GET", first, self._get_params(params), None)
        items = self._page("GET", first, response)
        rest = numbered_pages(response.url or first, response.links)
        if rest:
            for target in rest:
                self._check_origin("GET", first, target)
            for page in self.pool.requests(self._fetch_page, rest):
                items.extend(page)
            return items
        seen: set[str] = set()
        url = self._next_url(first, response, seen)
        while url is not None:
            response = self._exchange("GET", url, None, None)
            items.extend(self._page("GET", url, response))
            url = self._next_url(url, response, seen)
        return items

    def _fetch_page(self, url: str) -> list[Any]:
        return self._page("GET", url, self._exchange("GET", url, None, None))

    def post(self, path: str, data: Params | None = None) -> Any:
        return self._write("POST", path, data)

    def put(self, path: str, data: Params | None = None) -> Any:
        return self._write("PUT", path, data)

    def delete(self, path: str, data: Params | None = None) -> Any:
        return self._write("DELETE", path, data)

    def post_csv(self, path: str, text: str) -> Any:
        """POST a CSV as the raw body (`Content-Type: text/csv; charset=utf-8`). Such an
        upload (the group-set import) may be sent again when its answer is lost: the same
        rows give the same memberships and find the groups the first one made by name."""
        url = self._url(path, "POST")
        body = RawBody("text/csv; charset=utf-8", text.encode("utf-8"))
        return self._decode("POST", url, self._exchange("POST", url, None, body,
                                                        repeatable=True))

    def wait(self, seconds: float, notice: Wait | None = None) -> None:
        """Sleep, the client's way (tests and benchmarks inject their own), first telling
        `on_wait` about `notice` if there is one."""
        if notice is not None:
            self._notify(notice)
        self._sleep(seconds)

    # -- plumbing -----------------------------------------------------------------------

    def _write(self, method: str, path: str, data: Params | None) -> Any:
        url = self._url(path, method)
        response = self._exchange(method, url, None, form_pairs(data))
        return self._decode(method, url, response)

    def _url(self, path: str, method: str = "GET") -> str:
        if path.startswith(("http://", "https://")):
            self._check_origin(method, path, path)
            return path
        if not path.startswith("/"):
            raise ConfigError(f"Canvas API path must start with '/': {path!r}")
        return self.base_url + path

    def _get_params(self, params: Params | None) -> Pairs:
        pairs = form_pairs(params)
        if not any(key == "per_page" for key, _ in pairs):
            pairs.append(("per_page", str(self._per_page)))
        return pairs

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}", "User-Agent": self._user_agent,
                "Accept": "application/json"}

    def _check_origin(self, method: str, from_url: str, url: str) -> None:
        if origin(url) != self._origin:
            host = origin(url)[1] or "?"
            raise CanvasError(
                method, display_path(from_url), None,
                f"refusing to follow a link to another origin ({host}); the token is only "
                f"sent to {self._origin[1]}",
                advice="check the Canvas base URL (Canvas builds links from the request's host)")

    def _next_url(self, url: str, response: requests.Response, seen: set[str]) -> str | None:
        """The next page's URL (requests parses `Link`/`link` case-insensitively)."""
        seen.add(response.url or url)
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        target = resolve_link(response.url or url, link)
        self._check_origin("GET", url, target)
        if target in seen:
            raise CanvasError("GET", display_path(url), response.status_code,
                              "pagination loop: the next link points to a page already read")
        return target

    def _exchange(self, method: str, url: str, params: Pairs | None, data: Body | None,
                  *, repeatable: bool = False) -> requests.Response:
        """Send with retries (retry.py); return a 2xx response or raise a CanvasError.
        `repeatable`: a POST that may be sent again when it may have run (like a PUT)."""
        slept, attempt = 0.0, 0
        while True:
            attempt += 1
            response, error, maybe_executed = self._attempt(method, url, params, data)
            if error is None and response is not None:
                self._ease_pressure(response)
                return response
            assert error is not None
            verdict = decide("PUT" if repeatable else method, error,
                             maybe_executed=maybe_executed)
            if verdict == "ambiguous":
                raise _ambiguous(error)
            if verdict == "fail":
                raise with_attempts(error, attempt) if attempt > 1 else error
            if attempt >= self.retry.max_attempts:
                raise with_attempts(error, attempt) if attempt > 1 else error
            delay = self._delay(attempt, error, response)
            if slept + delay > self.retry.budget:
                raise with_attempts(error, attempt,
                                    f"; retry budget of {self.retry.budget:g}s exhausted")
            log.info("retrying %s %s in %.1f s (attempt %d of %d failed: %s)", method,
                     display_path(url), delay, attempt, self.retry.max_attempts,
                     error.canvas_message)
            self._notify(Wait("throttled" if isinstance(error, CanvasThrottledError)
                              else "retry", delay, attempt, self.retry.max_attempts - 1,
                              error.canvas_message))
            self._sleep(delay)
            slept += delay

    def _attempt(self, method: str, url: str, params: Pairs | None, data: Body | None,
                 ) -> tuple[requests.Response | None, CanvasError | None, bool]:
        path = display_path(url)
        failure: tuple[CanvasError, bool, bool] | None = None
        try:
            response = self._send(method, url, params, data)
        except requests.RequestException as exc:
            # keep the requests exception (which holds the request headers) out of the
            # raised error's __context__: build the error here, raise it below
            failure = (error_for_exception(method, path, exc, self._token),
                       _is_transient(exc), not isinstance(exc, requests.ConnectTimeout))
        if failure is not None:
            error, transient, sent = failure
            if not transient:
                raise error
            return None, error, sent
        log.debug("%s %s -> %d (remaining %s)", method, path, response.status_code,
                  response.headers.get("x-rate-limit-remaining", "?"))
        if not 200 <= response.status_code < 300:
            return response, error_for_response(method, path, response, self._token), True
        return response, None, True

    def _send(self, method: str, url: str, params: Pairs | None,
              data: Body | None) -> requests.Response:
        """One HTTP exchange, inside the adaptive limit when there is one."""
        if self.limiter is None:
            return self._request(method, url, params, data)
        self.limiter.acquire()
        pressure = Pressure(None)
        try:
            response = self._request(method, url, params, data)
            pressure = Pressure(parse_float(response.headers.get("x-rate-limit-remaining")),
                                is_throttled(response.status_code, response.text or ""))
            return response
        finally:
            self.limiter.release(pressure)

    def _request(self, method: str, url: str, params: Pairs | None,
                 data: Body | None) -> requests.Response:
        headers = self._headers()
        if isinstance(data, RawBody):
            headers["Content-Type"] = data.content_type
        return self._session.request(
            method, url, params=params, headers=headers,
            data=data.data if isinstance(data, RawBody) else data,
            timeout=self._timeout, allow_redirects=False,
            proxies=_no_proxies() if self._direct else None)

    def _delay(self, attempt: int, error: CanvasError,
               response: requests.Response | None) -> float:
        header = response.headers.get("retry-after") if response is not None else None
        retry_after = parse_float(header)
        throttled = isinstance(error, CanvasThrottledError)
        return self.retry.backoff(attempt, throttled=throttled, retry_after=retry_after)

    def _ease_pressure(self, response: requests.Response) -> None:
        remaining = parse_float(response.headers.get("x-rate-limit-remaining"))
        delay = self.retry.pressure_delay(remaining)
        if delay > 0:
            log.info("Canvas rate limit is low (%s left): pausing %.1f s", remaining, delay)
            self._notify(Wait("low", delay))
            self._sleep(delay)

    def _notify(self, wait: Wait) -> None:
        if self._on_wait is not None:
            self._on_wait(wait)

    def _decode(self, method: str, url: str, response: requests.Response) -> Any:
        """The JSON body of a 2xx; an unreadable one is an error (ambiguous for a POST)."""
        if not (response.text or "").strip():
            return None
        try:
            return json.loads(response.text)
        except ValueError:
            message = f"expected JSON, got: {response_message(response)}"
            if method == "POST":
                raise AmbiguousWriteError(
                    method, display_path(url), response.status_code, message,
                    advice=_AMBIGUOUS_ADVICE) from None
            raise CanvasError(method, display_path(url), response.status_code,
                              message) from None

    def _page(self, method: str, url: str, response: requests.Response) -> list[Any]:
        page = self._decode(method, url, response)
        if page is None:
            return []
        if not isinstance(page, list):
            raise CanvasError(method, display_path(url), response.status_code,
                              f"expected a JSON list, got {type(page).__name__}")
        return page


def _pooled_session(concurrency: int) -> requests.Session:
    """A session whose connection pool holds as many connections as requests may be in
    flight (urllib3 keeps 10 by default and discards the rest)."""
    session = requests.Session()
    size = max(10, concurrency)
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _no_proxies() -> dict[str, str]:
    """An empty proxy for http and https: requests looks these keys up before the
    environment's `all`, and connects directly when the proxy is empty. A fresh dict each
    time, because requests adds the environment's other keys to it."""
    return {"http": "", "https": ""}


_AMBIGUOUS_ADVICE = ("Canvas may or may not have made this change; run plan again to see "
                     "whether it did (sending it again blindly could create a duplicate)")


def _is_transient(exc: requests.RequestException) -> bool:
    """Dropped connections and timeouts may succeed on retry; TLS and URL errors will not."""
    if isinstance(exc, requests.exceptions.SSLError):
        return False
    return isinstance(exc, requests.ConnectionError | requests.Timeout)


def _ambiguous(error: CanvasError) -> AmbiguousWriteError:
    return AmbiguousWriteError(error.method, error.path, error.status, error.canvas_message,
                               advice=_AMBIGUOUS_ADVICE)
