"""The HTTP front end of `callq serve`: a Starlette app over the intake service.

Like the CLI it only parses, calls one service and answers: `POST /leads` (JSON or a
form, bearer token), `POST /leads/google-ads` (Google Ads lead form webhooks, the
payload's `google_key`) and `GET /health`. The service runs in Starlette's thread pool:
the database calls are blocking.
"""

import asyncio
import contextlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from callq.errors import UserError
from callq.rules.model import Rules
from callq.serve import payloads
from callq.services.dnc import OnDoNotCallList
from callq.services.intake import MAX_KEY_LENGTH, IntakeAnswer, receive_lead
from callq.services.leads import NewLead
from callq.store.db import Database, DatabaseBusy, DatabaseUnavailable

MAX_BODY = 64 * 1024


@dataclass
class Intake:
    """What the endpoints need: the database, the rules, who adds, the token, the clock."""

    db: Database
    rules: Rules
    rep: str
    token: str
    now: Callable[[], datetime]
    received: Callable[[], None] = lambda: None  # wakes the hook deliverer


class Refused(Exception):
    """An HTTP refusal: status and one-line reason (sent as {"error": ...})."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison (hmac.compare_digest), bytes so any text compares."""
    return hmac.compare_digest(given.encode(), expected.encode())


def _check_token(request: Request, token: str) -> None:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not _same(given.strip(), token):
        raise Refused(401, "missing or wrong token (Authorization: Bearer ...)",
                      {"WWW-Authenticate": "Bearer"})  # fmt: skip


async def _body(request: Request) -> bytes:
    """The body, refused past MAX_BODY without reading the rest."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY:
        raise Refused(413, f"the body is over {MAX_BODY // 1024} KiB")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise Refused(413, f"the body is over {MAX_BODY // 1024} KiB")
        chunks.append(chunk)
    return b"".join(chunks)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Refused(400, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
    return f"header:{key}"


async def _receive(
    intake: Intake,
    new: NewLead,
    key: str | None,
    writing: contextlib.AbstractAsyncContextManager,
) -> JSONResponse:
    try:
        # SQLite has one writer at a time: requests queue here in order, instead of threads
        # polling for the file's lock (its busy handler sleeps and retries, unfairly: p99).
        async with writing:
            answer: IntakeAnswer = await run_in_threadpool(
                receive_lead,
                intake.db,
                intake.rules,
                new,
                now=intake.now(),
                rep=intake.rep,
                key=key,
            )
    except (DatabaseBusy, DatabaseUnavailable) as error:
        raise Refused(503, str(error), {"Retry-After": "2"}) from None
    except OnDoNotCallList as error:  # the number asked not to be called: nothing stored
        raise Refused(409, str(error)) from None
    except UserError as error:  # a phone or field the service refuses: nothing stored
        raise Refused(422, str(error)) from None
    if not answer.replayed:
        intake.received()
    return JSONResponse(answer.body, status_code=answer.status)


def build_app(intake: Intake, lifespan: Callable | None = None) -> Starlette:
    """The app for `intake`; `lifespan` runs beside it (the hook deliverer)."""
    writing = asyncio.Lock() if intake.db.is_sqlite else contextlib.nullcontext()

    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    async def leads(request: Request) -> JSONResponse:
        try:
            _check_token(request, intake.token)
            key = _idempotency_key(request)
            media = _media_type(request)
            if media not in ("application/json", "application/x-www-form-urlencoded"):
                raise Refused(415, "send application/json or application/x-www-form-urlencoded")
            body = await _body(request)
            try:
                fields = (
                    payloads.json_fields(body)
                    if media == "application/json"
                    else payloads.form_fields(body)
                )
                source = payloads.default_source(request.query_params.get("source"))
                new = payloads.new_lead(fields, intake.rules, source=source)
            except payloads.BadRequest as error:
                raise Refused(400, str(error)) from None
            except UserError as error:
                raise Refused(422, str(error)) from None
            return await _receive(intake, new, key, writing)
        except Refused as refused:
            return _error(refused.status, refused.message, refused.headers)

    async def google_ads(request: Request) -> JSONResponse:
        try:
            expected = intake.rules.intake.google_key
            if not expected:
                raise Refused(404, "Google Ads intake is off (set [intake] google_key)")
            if _media_type(request) != "application/json":
                raise Refused(415, "send application/json")
            try:
                payload = payloads.json_object(await _body(request))
            except payloads.BadRequest as error:
                raise Refused(400, str(error)) from None
            given = payload.get("google_key")
            if not isinstance(given, str) or not _same(given, expected):
                raise Refused(401, "missing or wrong google_key")
            try:
                new, lead_id = payloads.google_ads_lead(payload, intake.rules)
            except payloads.BadRequest as error:
                raise Refused(400, str(error)) from None
            except UserError as error:
                raise Refused(422, str(error)) from None
            return await _receive(intake, new, f"google:{lead_id}", writing)
        except Refused as refused:
            return _error(refused.status, refused.message, refused.headers)

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/leads", leads, methods=["POST"]),
        Route("/leads/google-ads", google_ads, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
