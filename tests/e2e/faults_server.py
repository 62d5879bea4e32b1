"""A deliberately bad HTTP server on loopback, for steps that call an absolute ``url:``.

It answers each path with one kind of hostile response and remembers the
headers of every request it got, so a test can check that the org's bearer
token never reached it.
"""

from __future__ import annotations

import base64
import html
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

DEEP_JSON = b"[" * 100_000 + b"]" * 100_000

ANSWERS: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/deep-json": (200, {"Content-Type": "application/json"}, DEEP_JSON),
    "/not-utf8": (200, {"Content-Type": "application/json"}, b'{"Name": "\xff\xfe"}'),
    "/redirect": (302, {"Location": "http://198.51.100.7/steal"}, b""),
    "/huge-number": (200, {"Content-Type": "application/json"}, b"[" + b"9" * 5000 + b"]"),
}


def echo(value: str) -> bytes:
    """A text body that quotes ``value`` back in every form a careless server might use."""
    raw = value.encode()
    lines = [
        f"as is: {value}",
        f"json: {json.dumps({'v': value})}",
        f"base64: {base64.b64encode(raw).decode()}",
        f"base64 in a blob: {base64.b64encode(b'prefix:' + raw + b':suffix').decode()}",
        f"html: <p title=\"{html.escape(value)}\">{html.escape(value)}</p>",
        f"url: https://example.test/?q={quote(value, safe='')}",
        "wrapped:",
        *(value[at:at + 8] for at in range(0, len(value), 8)),
    ]
    return "\n".join(lines).encode()


class _Handler(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, str]]

    def do_GET(self) -> None:
        self.seen.append(dict(self.headers.items()))
        status, headers, body = ANSWERS.get(self.path, (404, {}, b"no"))
        if self.path == "/echo":
            status, headers = 200, {"Content-Type": "text/plain; charset=utf-8"}
            body = echo(self.headers.get("X-Echo", ""))
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def hostile_server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """Yields the server's base URL and the list of request headers it receives."""
    seen: list[dict[str, str]] = []
    handler = type("Handler", (_Handler,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
