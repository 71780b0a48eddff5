"""The vendor client: one call = deadline → retry → pace → one attempt → httpx (+ auth).

Each layer is one small method, as in httpx's ``_client.py``::

    request()        one deadline for the whole call, errors translated at one boundary
    _with_retry()    tenacity with the policy of ``retry.CallState``
    _attempt()       tenant pacing (token bucket + concurrency cap), one send, classify
    httpx            auth (``auth.py``), timeouts, connection pool

Callers use :meth:`VendorClient.get_json` / :meth:`VendorClient.send_json` for JSON calls and
:meth:`VendorClient.request` for anything else; every failure arrives as a :mod:`cxops.errors`
exception whose text is already redacted.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from cxops.errors import CxopsError, NetworkError, ProtocolError
from cxops.logs import redact
from cxops.model.errors import ParseError
from cxops.model.parse import parse_json
from cxops.transport.ratelimit import TenantLimiter
from cxops.transport.retry import (
    IDEMPOTENT_METHODS,
    RETRY_STATUSES,
    CallState,
    RetryableResponse,
    RetryBudget,
    parse_retry_after,
)
from cxops.transport.settings import TransportOptions
from cxops.transport.urls import inside, same_origin
from cxops.transport.vendor_errors import PARSED_KEY, answer_error, error_from_response, json_body

__all__ = ["IDEMPOTENCY_HEADER", "VendorClient"]

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
Params = Mapping[str, str | int | float | bool | None]


class _AnswerRefused(Exception):
    """An answer refused for good (over the size cap, not representable): never retried."""

    def __init__(self, error: ProtocolError) -> None:
        super().__init__(error.message)
        self.error = error


class VendorClient:
    """A resilient client for one vendor tenant (build it with ``transport.open_client``)."""

    def __init__(
        self,
        vendor: str,
        http: httpx.AsyncClient,
        options: TransportOptions,
        limiter: TenantLimiter,
        api_prefix: str | tuple[str, ...] | None = None,
    ) -> None:
        self.vendor = vendor
        self.http = http
        self.options = options
        self.limiter = limiter
        #: Credentials go only under this prefix, or these (``transport.urls``); None: no fence
        #: (a client without credentials, such as CXone's discovery probe).
        self.api_prefix = api_prefix
        self.budget = RetryBudget(options.budget_ratio, options.budget_reserve)

    async def __aenter__(self) -> VendorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    @property
    def attempts(self) -> int:
        """Requests sent by this client so far, retries included (token requests excluded)."""
        return self.budget.attempts

    # -- layer 1: the call ------------------------------------------------------------------

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        idempotency_key: str | None = None,
        deadline: float | None = None,
        accept: Collection[int] = (),
        expect_json: bool = False,
    ) -> httpx.Response:
        """Send one logical call with retries; return the response or raise a cxops error.

        ``idempotent=True`` declares a POST safe to repeat; ``idempotency_key`` sends the
        ``Idempotency-Key`` header, which also makes it safe. ``deadline`` (seconds) bounds all
        attempts and waits together. Statuses in ``accept`` are returned instead of raised.
        ``expect_json`` parses a success answer's body in the attempt (bounded parser), so a
        broken one is retried like a 5xx when repeating is safe; the parsed document rides in
        the response's extensions.
        """
        method = method.upper()
        hdrs = {"X-Request-ID": uuid.uuid4().hex, **(headers or {})}
        if idempotency_key:
            hdrs[IDEMPOTENCY_HEADER] = idempotency_key
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        # httpx replaces a URL's own query when ``params`` is given, even empty: merge instead,
        # so signed links (``?signature=…``) keep their query.
        target = httpx.URL(url).copy_merge_params(clean) if clean else url
        request = self.http.build_request(
            method, target, json=json, data=data, content=content, headers=hdrs
        )
        self._fence(url, request)
        safe = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        limit = deadline if deadline is not None else self.options.deadline
        call = CallState(
            self.options, self.budget, safe or bool(idempotency_key), time.monotonic() + limit
        )
        call.expect_json = expect_json
        try:
            async with asyncio.timeout(limit):
                response = await self._with_retry(request, call)
        except TimeoutError:
            call.stop_reason = f"the {limit:g}s deadline passed after {call.attempts} attempt(s)"
            if isinstance(call.last_error, RetryableResponse):
                raise self._final_error(call.last_error.response, call) from None
            if isinstance(call.last_error, RetryableResponse) and call.last_error.broken:
                raise self._broken_error(call.last_error, call) from None
            raise NetworkError(
                redact(
                    f"{self.vendor} {method} {request.url.path}: no usable answer; "
                    f"{call.stop_reason}"
                ),
                hint="the vendor is slow or unreachable; retry later or raise the deadline",
            ) from None
        except RetryableResponse as exc:
            if exc.broken is not None:
                raise self._broken_error(exc, call) from None
            raise self._final_error(exc.response, call) from None
        except _AnswerRefused as exc:
            raise exc.error from None
        except httpx.HTTPError as exc:
            raise self._network_error(exc, request, call) from None
        if response.status_code >= 400 and response.status_code not in accept:
            raise error_from_response(self.vendor, response)
        return response

    async def get_json(
        self, url: str, *, params: Params | None = None, expect: type = dict, **kw: Any
    ) -> Any:
        """GET ``url`` and return its JSON (checked to be a ``dict`` unless ``expect`` says).

        A 204 (CXone's answer to an empty search) gives an empty ``expect()``.
        """
        response = await self.request("GET", url, params=params, expect_json=True, **kw)
        if response.status_code == 204:
            return expect()
        return self._json(response, expect)

    async def send_json(self, method: str, url: str, body: Any = None, **kw: Any) -> Any:
        """Send a JSON body and return the decoded JSON answer (``None`` for an empty one)."""
        response = await self.request(method, url, json=body, expect_json=True, **kw)
        if not response.content:
            return None
        return self._json(response)

    def _json(self, response: httpx.Response, expect: type | None = None) -> Any:
        opts = self.options
        return json_body(
            self.vendor,
            response,
            expect,
            max_bytes=opts.max_answer_bytes,
            max_depth=opts.max_answer_depth,
        )

    # -- the fence: where credentials may go (transport.urls, issue #15) --------------------

    def _credentials_for(self, request: httpx.Request) -> bool:
        """Whether ``request`` may carry the client's credentials.

        Only to the tenant's own origin (presigned upload/download URLs, S3 and the like, must
        never see our token) and, there, only under the API prefix.
        """
        if not same_origin(request.url, self.http.base_url):
            return False
        return self.api_prefix is None or inside(request.url, self.api_prefix)

    def _fence(self, url: str, request: httpx.Request) -> None:
        """Refuse a path cxops built that leaves the API prefix; nothing is sent.

        A relative path is built by cxops from a template and vendor ids: leaving the prefix can
        only mean an id that was not encoded (a bug) or a hostile one. An absolute URL is a link
        the vendor gave (a download, a next page): it is fetched, without credentials when it
        points elsewhere.
        """
        if self.api_prefix is None or "://" in url:
            return
        if not same_origin(request.url, self.http.base_url) or not inside(
            request.url, self.api_prefix
        ):
            raise ProtocolError(
                redact(
                    f"{self.vendor} {request.method}: refusing to send a request outside the "
                    f"API prefix {_prefixes(self.api_prefix)}: "
                    f"{request.url.raw_path.decode('ascii')[:200]}"
                ),
                hint="a vendor id holds path syntax ('..', '/', '?', '#'); report it",
            )

    # -- layer 2: retry ---------------------------------------------------------------------

    async def _with_retry(self, request: httpx.Request, call: CallState) -> httpx.Response:
        self.budget.record_call()
        retrying = AsyncRetrying(
            retry=retry_if_exception(call.should_retry),
            wait=call.wait,
            stop=call.stop,
            before_sleep=self._note_retry(request),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._attempt(request, call, attempt.retry_state.attempt_number)
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _note_retry(self, request: httpx.Request) -> Callable[[RetryCallState], None]:
        def note(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            what = (
                str(exc.response.status_code)
                if isinstance(exc, RetryableResponse)
                else type(exc).__name__
            )
            log.info(
                "%s %s %s: %s; retry %d in %.2fs",
                self.vendor,
                request.method,
                request.url.path,
                what,
                state.attempt_number,
                state.upcoming_sleep,
                extra={"request_id": request.headers.get("x-request-id")},
            )

        return note

    # -- layer 3: one attempt ---------------------------------------------------------------

    async def _attempt(self, request: httpx.Request, call: CallState, n: int) -> httpx.Response:
        opts = self.options
        call.attempts = n
        async with self.limiter.slot():
            left = max(call.remaining(), 0.001)
            timeout = httpx.Timeout(
                connect=min(opts.connect_timeout, left),
                read=min(opts.read_timeout, left),
                write=min(opts.write_timeout, left),
                pool=min(opts.pool_timeout, left),
            )
            request.extensions["timeout"] = timeout.as_dict()
            started = time.monotonic()
            try:
                response = await self.http.send(
                    request,
                    auth=httpx.USE_CLIENT_DEFAULT if self._credentials_for(request) else None,
                    stream=True,
                )
                await self._read_capped(response)
            except httpx.HTTPError as exc:
                log.debug(
                    "%s %s attempt %d failed: %s",
                    request.method,
                    request.url.path,
                    n,
                    type(exc).__name__,
                    extra={"vendor": self.vendor, "request_id": request.headers["x-request-id"]},
                )
                raise
        hint = parse_retry_after(response.headers.get("retry-after"))
        scaled = None if hint is None else min(hint, opts.retry_after_max) * opts.retry_after_scale
        self.limiter.observe(response, scaled)
        log.debug(
            "%s %s -> %d (attempt %d, %.0f ms)",
            request.method,
            request.url.path,
            response.status_code,
            n,
            (time.monotonic() - started) * 1000,
            extra={"vendor": self.vendor, "request_id": request.headers["x-request-id"]},
        )
        if response.status_code in RETRY_STATUSES or response.status_code == 500:
            raise RetryableResponse(response)
        if call.expect_json and 200 <= response.status_code < 300 and response.content:
            self._parse_answer(response, call)
        return response

    async def _read_capped(self, response: httpx.Response) -> None:
        """Read a streamed answer, refusing it once its decoded body passes the cap.

        Chunks are counted as they arrive, so an oversized answer costs at most the cap in
        memory, whatever its Content-Length says (or does not say).
        """
        cap = self.options.max_answer_bytes
        try:
            declared = int(response.headers.get("content-length", "-1"))
        except ValueError:
            declared = -1
        if declared > cap and "content-encoding" not in response.headers:
            await response.aclose()
            raise self._too_large(response, declared)
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise self._too_large(response, size)
                chunks.append(chunk)
        finally:
            await response.aclose()
        # What httpx's own Response.aread() does once the stream is consumed.
        response._content = b"".join(chunks)

    def _too_large(self, response: httpx.Response, size: int) -> _AnswerRefused:
        request = response.request
        cap = self.options.max_answer_bytes
        return _AnswerRefused(
            ProtocolError(
                redact(
                    f"{self.vendor} {request.method} {request.url.path}: "
                    f"{response.status_code} answer of {size:,}+ bytes refused: over the "
                    f"{cap:,}-byte cap per answer"
                ),
                hint="raise max_answer_bytes (TransportOptions) if the answer is genuine",
            )
        )

    def _parse_answer(self, response: httpx.Response, call: CallState) -> None:
        """Parse a success answer now; a cut-off or garbled body is retryable (issue #15)."""
        opts = self.options
        try:
            doc = parse_json(
                response.content,
                max_bytes=opts.max_answer_bytes,
                max_depth=opts.max_answer_depth,
            )
        except ParseError as exc:
            if exc.reason in ("syntax", "utf8"):  # cut off or garbled on the way: transient
                raise RetryableResponse(response, broken=exc.message) from None
            where = f"{self.vendor} {response.request.method} {response.request.url.path}"
            raise _AnswerRefused(answer_error(where, response.status_code, exc)) from None
        response.extensions[PARSED_KEY] = doc

    # -- the boundary: httpx and exhausted retries into cxops errors --------------------------

    def _final_error(self, response: httpx.Response, call: CallState) -> CxopsError:
        err = error_from_response(self.vendor, response)
        if call.stop_reason:
            err.message = f"{err.message}; {call.stop_reason}"
            err.args = (err.message,)
        return err

    def _broken_error(self, exc: RetryableResponse, call: CallState) -> CxopsError:
        request = exc.response.request
        tries = f"; {call.stop_reason}" if call.stop_reason else ""
        if not call.safe:
            tries = "; not retried: repeating this request might duplicate its effect"
        return ProtocolError(
            redact(
                f"{self.vendor} {request.method} {request.url.path}: "
                f"{exc.response.status_code} with a body that is not JSON ({exc.broken}){tries}"
            ),
            hint="the vendor or a proxy sent a broken body; retry, and report it if it persists",
        )

    def _network_error(
        self, exc: httpx.HTTPError, request: httpx.Request, call: CallState
    ) -> CxopsError:
        where = f"{self.vendor} {request.method} {request.url.path}"
        if call.stop_reason:
            why = call.stop_reason
        elif call.safe:
            why = "not a retryable failure"
        else:
            why = "not retried: repeating this request might duplicate its effect"
        if isinstance(exc, httpx.TimeoutException):
            what = f"timed out ({type(exc).__name__})"
        elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            what = "the connection was dropped mid-answer"
        elif isinstance(exc, httpx.ConnectError):
            what = "cannot connect"
        elif isinstance(exc, httpx.DecodingError):
            return ProtocolError(redact(f"{where}: undecodable body: {exc}"))
        else:
            what = type(exc).__name__
        return NetworkError(
            redact(f"{where}: {what}; {why}"),
            hint="check the base URL and the network; cxops retried what was safe to retry",
        )


def _prefixes(prefix: str | tuple[str, ...]) -> str:
    return prefix if isinstance(prefix, str) else " or ".join(prefix)
