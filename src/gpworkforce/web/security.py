"""Session secret, CSRF protection and security response headers.

Both protections are pure ASGI middleware rather than FastAPI dependencies, so they cover
every route, mount and error response, including ones added later that forget to ask for them.
See docs/decisions/0001-web-security.md for the reasoning.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import os
import secrets
import stat
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Final
from urllib.parse import parse_qs

import platformdirs
from sqlalchemy.engine import make_url
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gpworkforce.settings import SECRET_KEY_ENV, get_settings

log = logging.getLogger(__name__)

SECRET_KEY_FILENAME: Final = "gpworkforce-secret-key"
#: 32 random bytes in url-safe base64 is 43 characters; shorter keys are refused.
MIN_SECRET_KEY_LENGTH: Final = 32

CSRF_SESSION_KEY: Final = "csrf"
CSRF_FORM_FIELD: Final = "csrf_token"
CSRF_HEADER_NAME: Final = "X-CSRF-Token"
CSRF_HEADER: Final = CSRF_HEADER_NAME.lower()
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")

#: Words that mark a key typed from documentation rather than generated. All are 6+ letters,
#: so a random key contains one by chance with probability below 1e-6.
_PLACEHOLDER_WORDS: Final = (
    "changeme",
    "change-me",
    "change_me",
    "changethis",
    "replace",
    "placeholder",
    "example",
    "secret",
    "password",
    "default",
    "insecure",
    "notsecure",
)


class InsecureSecretKey(RuntimeError):
    """The configured session secret is missing, short or an obvious placeholder."""


# --- Secret key -----------------------------------------------------------------------------


def check_secret_key(key: str, *, generated: bool = False) -> str:
    """Return the key if it looks generated; raise :class:`InsecureSecretKey` otherwise.

    Length alone is not enough ("changeme" * 5 is 40 characters), so placeholder words and
    low-variety keys are refused too. ``generated`` keys (our own key file) get the length
    check only.
    """
    stripped = key.strip()
    lowered = stripped.lower()
    if len(stripped) < MIN_SECRET_KEY_LENGTH:
        raise InsecureSecretKey(
            f"{SECRET_KEY_ENV} must be at least {MIN_SECRET_KEY_LENGTH} characters; "
            'generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    if generated:
        return stripped
    if any(word in lowered for word in _PLACEHOLDER_WORDS) or len(set(stripped)) < 12:
        raise InsecureSecretKey(
            f"{SECRET_KEY_ENV} looks like a placeholder; "
            'generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    return stripped


def secret_key_path(database_url: str) -> Path:
    """Where the generated key lives: beside a SQLite file, else in the user data directory."""
    url = make_url(database_url)
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        return Path(database).expanduser().resolve().parent / SECRET_KEY_FILENAME
    return Path(platformdirs.user_data_dir("gpworkforce")) / SECRET_KEY_FILENAME


def load_or_create_secret_key(path: Path) -> str:
    """Read the per-installation key, creating it (mode 0600, exclusive create) on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("secret key file %s had mode %o; tightening to 0600", path, mode)
            path.chmod(0o600)
        return check_secret_key(path.read_text(encoding="ascii"), generated=True)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        key = secrets.token_urlsafe(48)
        handle.write(key)
    log.info("generated a new session secret key in %s", path)
    return key


def resolve_secret_key(database_url: str, explicit: str | None = None) -> str:
    """``explicit``, else ``$GPWORKFORCE_SECRET_KEY``, else the generated per-installation key."""
    if explicit is not None:
        return check_secret_key(explicit)
    if (env := get_settings().secret_key) is not None:
        return check_secret_key(env)
    return load_or_create_secret_key(secret_key_path(database_url))


# --- CSRF -----------------------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """The session's synchroniser token, created on first use and masked afresh on every call
    (:func:`mask_token`). Put it in every form and HTMX header."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return mask_token(token)


def mask_token(token: str) -> str:
    """``token`` XORed with a one-time random pad, pad first, in url-safe base64.

    Why: pages are gzipped, and a secret that is the same in every response of a session can be
    read from compressed sizes when the page also reflects attacker-chosen text (BREACH). A
    masked token differs in every response, so compression gives nothing away.
    """
    raw = token.encode("utf-8")
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(raw, pad, strict=True))).decode("ascii")


def unmask_token(value: str) -> str | None:
    """The token inside a :func:`mask_token` value, or None if it is not one."""
    try:
        data = base64.urlsafe_b64decode(value.encode("ascii"))
    except (ValueError, binascii.Error):
        return None
    half, odd = divmod(len(data), 2)
    if odd or not half:
        return None
    return bytes(a ^ b for a, b in zip(data[:half], data[half:], strict=True)).decode("utf-8", "replace")


def rotate_csrf_token(request: Request) -> str:
    """A fresh token (after sign-in), so a token seen before authentication is useless after it."""
    token = secrets.token_urlsafe(32)
    request.session[CSRF_SESSION_KEY] = token
    return token


FailureHandler = Callable[[Request, str], Awaitable[Response]]


async def _default_failure(_request: Request, reason: str) -> Response:
    return PlainTextResponse(f"Forbidden: {reason}", status_code=403)


class CSRFMiddleware:
    """Reject POST/PUT/PATCH/DELETE unless they carry the session's token.

    The token is read from the ``X-CSRF-Token`` header (HTMX, fetch) or, for HTML forms, from
    the ``csrf_token`` field; a form body is buffered and replayed to the app unchanged.
    Comparison is constant-time. Requests a browser labels ``Sec-Fetch-Site: cross-site`` are
    refused outright. Must sit inside ``SessionMiddleware`` (added before it).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        on_failure: FailureHandler | None = None,
        exempt_paths: Iterable[str] = (),
        max_body_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.on_failure = on_failure or _default_failure
        self.exempt_paths = frozenset(exempt_paths)
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        if "session" not in scope:
            raise RuntimeError("CSRFMiddleware must be added before (inside) SessionMiddleware")
        headers = Headers(scope=scope)
        expected = scope["session"].get(CSRF_SESSION_KEY)
        if headers.get("sec-fetch-site") == "cross-site":
            await self._reject(scope, receive, send, "cross-site request")
            return
        submitted = headers.get(CSRF_HEADER)
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if submitted is None and content_type in _FORM_TYPES:
            body = await self._read_body(receive)
            if body is None:
                await PlainTextResponse("Request body too large", status_code=413)(scope, receive, send)
                return
            submitted = await self._token_from_form(scope, content_type, body)
            receive = _replay(body, receive)
        if not (isinstance(expected, str) and expected and submitted and _same(submitted, expected)):
            reason = "missing CSRF token" if not submitted else "CSRF token does not match"
            await self._reject(scope, receive, send, reason)
            return
        await self.app(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, reason: str) -> None:
        log.warning("CSRF check failed for %s %s: %s", scope["method"], scope["path"], reason)
        response = await self.on_failure(Request(scope, receive), reason)
        await response(scope, receive, send)

    async def _read_body(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    @staticmethod
    async def _token_from_form(scope: Scope, content_type: str, body: bytes) -> str | None:
        if content_type == "application/x-www-form-urlencoded":
            values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FORM_FIELD)
            return values[0] if values else None
        request = Request(scope, _replay(body, _no_more_messages))
        try:
            form = await request.form()
        except Exception:  # malformed multipart: treat as no token (403), not a 500
            return None
        try:
            value = form.get(CSRF_FORM_FIELD)
            return value if isinstance(value, str) else None
        finally:
            await form.close()


def _same(submitted: str, expected: str) -> bool:
    """A masked token (every page since compression) or the bare one (a page from before)."""
    unmasked = unmask_token(submitted) or ""
    bare = hmac.compare_digest(submitted.encode("utf-8"), expected.encode("utf-8"))
    return hmac.compare_digest(unmasked.encode("utf-8"), expected.encode("utf-8")) or bare


async def _no_more_messages() -> Message:
    return {"type": "http.disconnect"}


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive callable that yields the buffered body once, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


# --- Security headers -----------------------------------------------------------------------

#: script-src has no 'unsafe-eval': Plotly's SVG traces work without it, WebGL traces
#: (scattergl etc.) do not and are not used. style-src-attr 'unsafe-inline' lets Plotly set
#: style attributes (heatmaps, colour bars); <style> elements stay blocked, Plotly's global
#: rules come from the vendor/plotly/plotly.css asset instead.
CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def security_headers(*, https_only: bool) -> dict[str, str]:
    """Headers added to every response (unless the response set them itself)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if https_only:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


class SecurityHeadersMiddleware:
    """Add :func:`security_headers`, and ``Cache-Control: no-store`` on dynamic pages.

    Pages can show data from a signed-in session, so shared caches and the back button after
    sign-out must not keep them; static assets under ``cacheable_prefixes`` revalidate instead.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        headers: Mapping[str, str],
        cacheable_prefixes: tuple[str, ...] = ("/static/", "/vendor/"),
    ) -> None:
        self.app = app
        self.headers = dict(headers)
        self.cacheable_prefixes = cacheable_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith(self.cacheable_prefixes)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in response_headers:
                        response_headers[name] = value
                if "cache-control" not in response_headers:
                    response_headers["Cache-Control"] = "no-cache" if cacheable else "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
