"""One ASGI middleware for every request: request id, body size limit, optional public key, rate limit,
metrics."""

from __future__ import annotations

import contextvars
import json
import logging
import time
import uuid

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.routing import Match

from service.metrics import Metrics
from service.tokens import bearer_token, token_hash, token_matches

log = logging.getLogger("rag.http")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# Routes anyone may call (optionally keyed and rate-limited); admin routes have their own bearer check.
PUBLIC_PREFIXES = (
    "/v1/ask",
    "/v1/search",
    "/v1/chat/completions",
    "/v1/feedback",
    "/v1/models",
    "/v1/reference-models",
    "/v1/documents",
)


KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
ADMIN_PREFIXES = ("/v1/ingest", "/v1/finetune", "/v1/jobs", "/v1/adapters")


class BodyTooLarge(Exception):
    """More body bytes arrived than RAG_MAX_BODY_BYTES, whatever the headers declared."""


def _limit_body(receive, limit: int):
    """`receive` that counts the body bytes actually received and stops at the limit."""
    received = 0

    async def limited():
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(f"request body larger than {limit} bytes")
        return message

    return limited


def route_template(scope) -> str:
    """The path template of the route this request matches ("/v1/jobs/{job_id}"), or "unmatched"."""
    app = scope.get("app")
    return _match(getattr(getattr(app, "router", None), "routes", ()), scope) or "unmatched"


def _match(routes, scope) -> str | None:
    for route in routes:
        inner = getattr(route, "original_router", None)  # an included router: look at its own routes
        if inner is not None:
            found = _match(inner.routes, scope)
        else:
            found = route.path if route.matches(scope)[0] == Match.FULL else None
        if found:
            return found
    return None


async def _send_json(send, status: int, body: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class ServiceMiddleware:
    """Wraps the app; settings decide the limits (RAG_MAX_BODY_BYTES, RAG_RATE_LIMIT, RAG_PUBLIC_API_KEYS)."""

    def __init__(self, app, *, settings, metrics: Metrics) -> None:
        self.app, self.settings, self.metrics = app, settings, metrics
        self.limit = parse(settings.rate_limit) if settings.rate_limit else None
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.keys = [token_hash(k) for k in settings.public_api_keys]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        rid = headers.get("x-request-id", "")[:64] or uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        t0 = time.perf_counter()
        status = {"code": 500}
        path = scope.get("path", "")

        async def send_wrapped(message):
            if message["type"] == "http.response.start":
                status["code"], status["started"] = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", rid.encode())]
            await send(message)

        try:
            refusal = self._refusal(path, headers, scope)
            if refusal:
                code, detail, extra = refusal
                status["code"] = code
                await _send_json(send_wrapped, code, {"detail": detail}, extra)
                return
            limited = _limit_body(receive, self.settings.max_body_bytes)
            await self._call_app(scope, limited, send_wrapped, status, rid)
        finally:
            # Labelled by route template (one fixed label when nothing matches): request paths are the
            # client's text, and one series per path would let anyone grow /metrics without bound.
            # the router records the matched route; only requests refused before routing need a lookup
            name = getattr(scope.get("route"), "path", None) or route_template(scope)
            elapsed = time.perf_counter() - t0
            method = scope.get("method", "")
            method = method if method in KNOWN_METHODS else "other"  # the method is client text too
            self.metrics.requests.labels(name, method, str(status["code"])).inc()
            self.metrics.latency.labels(name).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "path": path,
                    "status": status["code"],
                    "ms": round(elapsed * 1000, 1),
                },
            )
            request_id.reset(token)

    async def _call_app(self, scope, receive, send, status: dict, rid: str) -> None:
        """An exception no handler mapped is a bug: a 500 naming the request id, the traceback in the log."""
        try:
            await self.app(scope, receive, send)
        except BodyTooLarge as exc:
            if status.get("started"):
                raise
            status["code"] = 413
            await _send_json(send, 413, {"detail": str(exc)}, [])
        except Exception:
            log.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
            if status.get("started"):
                raise  # the response is under way: the connection is cut, the log has the traceback
            status["code"] = 500
            body = {"detail": f"internal server error (request id {rid})", "request_id": rid}
            await _send_json(send, 500, body, [])

    def _refusal(self, path: str, headers: dict, scope) -> tuple[int, str, list] | None:
        declared = headers.get("content-length", "")
        chunked = "transfer-encoding" in headers
        if declared and chunked:
            # Two framings of one body: a proxy and this server could read different bodies (smuggling).
            return 400, "send Content-Length or Transfer-Encoding, not both", []
        if declared.isdigit() and int(declared) > self.settings.max_body_bytes:
            return 413, f"request body larger than {self.settings.max_body_bytes} bytes", []
        if not declared and chunked:
            return 411, "send a Content-Length header (chunked request bodies are not accepted)", []
        ip = (scope.get("client") or ("?",))[0]
        if path.startswith(ADMIN_PREFIXES):
            return self._rate_limited("admin", ip)  # a bearer token cannot be guessed at full speed
        if not path.startswith(PUBLIC_PREFIXES):
            return None
        key = bearer_token(headers.get("authorization", "")) or headers.get("x-api-key", "").strip()
        if self.keys and not token_matches(key, self.keys):
            return 401, "this API needs a key: send Authorization: Bearer <key> or X-API-Key", []
        # A configured key has its own bucket; anything else is counted by address, so a client cannot
        # get a fresh bucket by sending a new made-up key each time.
        return self._rate_limited("public", token_hash(key) if self.keys else ip)

    def _rate_limited(self, scope_name: str, who: str) -> tuple[int, str, list] | None:
        if self.limit is None or self.limiter.hit(self.limit, scope_name, who):
            return None
        self.metrics.rate_limited.inc()
        reset = int(self.limiter.get_window_stats(self.limit, scope_name, who).reset_time - time.time()) + 1
        return (
            429,
            f"rate limit of {self.settings.rate_limit} exceeded; retry in {reset} s",
            [(b"retry-after", str(max(reset, 1)).encode())],
        )


class JSONFormatter(logging.Formatter):
    """One JSON object per log line, with the request id of the request being served."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id.get(),
        }
        for key in ("method", "path", "status", "ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
