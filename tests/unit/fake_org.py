"""A tiny scripted Salesforce on loopback for client tests.

The token endpoint verifies assertions like Salesforce (signature, iss, aud,
exp) and answers with Salesforce's JSON; any path can be given a script of
answers (status, headers, body) or faults (``reset``, ``sleep``), consumed in
order, the last one repeating.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ORG_ID = "00D5g000001aBcDEAY"
USER_ID = "0055g00000ZzYyXAAV"


@dataclass
class Answer:
    """One scripted answer: an HTTP response, or a fault."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None  # "reset" (close without answering) or "sleep"
    seconds: float = 0.0

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode() if self.body is not None else b""


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class FakeOrg:
    """State shared by the handler threads: scripts, issued tokens, what was seen."""

    def __init__(self, public_key: rsa.RSAPublicKey, client_id: str, username: str) -> None:
        self.public_key = public_key
        self.client_id = client_id
        self.username = username
        self.scripts: dict[str, list[Answer]] = {}
        self.fall_through: dict[str, bool] = {}
        self.seen: list[Seen] = []
        self.tokens: list[str] = []
        self.lock = threading.Lock()
        self.base_url = ""
        self.instance_url: str | None = None

    def script(self, path: str, *answers: Answer, then_default: bool = False) -> None:
        """Answer ``path`` with these in turn; the last repeats unless ``then_default``."""
        self.scripts[path] = list(answers)
        self.fall_through[path] = then_default

    def next_answer(self, path: str) -> Answer | None:
        with self.lock:
            queue = self.scripts.get(path)
            if not queue:
                return None
            return queue.pop(0) if len(queue) > 1 or self.fall_through[path] else queue[0]

    def requests_to(self, path: str) -> list[Seen]:
        return [item for item in self.seen if item.path == path]

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    # -- Salesforce behaviour -------------------------------------------
    def token_answer(self, form: dict[str, list[str]]) -> Answer:
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        try:
            claims = jwt.decode(
                form.get("assertion", [""])[0],
                self.public_key,
                algorithms=["RS256"],
                options={"verify_aud": False, "verify_exp": False},
            )
        except jwt.InvalidTokenError:
            return _oauth_error("invalid_grant", "invalid assertion")
        if claims.get("iss") != self.client_id:
            return _oauth_error("invalid_client_id", "client identifier invalid")
        if claims.get("aud") not in ("https://login.salesforce.com", "https://test.salesforce.com"):
            return _oauth_error("invalid_grant", "audience is invalid")
        if int(claims.get("exp", 0)) < time.time():
            return _oauth_error("invalid_grant", "expired authorization code")
        if claims.get("sub") != self.username:
            return _oauth_error("invalid_grant", "user hasn't approved this consumer")
        with self.lock:
            token = f"00D5g000001aBcD!AQ{len(self.tokens):04d}.fake-token-{time.time_ns()}"
            self.tokens.append(token)
        instance = self.instance_url or self.base_url
        return Answer(
            200,
            {
                "access_token": token,
                "scope": "api",
                "instance_url": instance,
                "id": f"https://login.salesforce.com/id/{ORG_ID}/{USER_ID}",
                "token_type": "Bearer",
                "issued_at": "1700000000000",
            },
        )

    def authorized(self, headers: dict[str, str]) -> bool:
        value = headers.get("authorization", "")
        with self.lock:
            return value.startswith("Bearer ") and value[7:] in self.tokens


def _oauth_error(error: str, description: str) -> Answer:
    return Answer(400, {"error": error, "error_description": description})


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # head and body in one write: two small writes meet delayed ACKs (40 ms)

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _handle(self) -> None:
        org = self.server.org
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        headers = {name.lower(): value for name, value in self.headers.items()}
        with org.lock:
            org.seen.append(Seen(self.command, path, headers, body))
        answer = org.next_answer(path)
        if answer is None and path == "/services/oauth2/token":
            answer = org.token_answer(parse_qs(body.decode()))
        if answer is None:
            answer = self._default(org, headers)
        if answer.fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            self.close_connection = True
            return
        if answer.fault == "sleep":
            time.sleep(answer.seconds)
        self._send(answer)

    def _default(self, org: FakeOrg, headers: dict[str, str]) -> Answer:
        if not org.authorized(headers):
            return Answer(
                401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
            )
        return Answer(200, {"ok": True})

    def _send(self, answer: Answer) -> None:
        data = answer.encoded()
        self.send_response(answer.status)
        headers = {"Content-Type": "application/json;charset=UTF-8", **answer.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that gave up (timeouts) make writes fail; that is the point, not news."""

    def __init__(self, org: FakeOrg) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.org = org


def serve(org: FakeOrg) -> Iterator[FakeOrg]:
    """Run ``org`` on a loopback port until the generator is closed (use in a fixture)."""
    server = _Server(org)
    org.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield org
    finally:
        server.shutdown()
        server.server_close()
