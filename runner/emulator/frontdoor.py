"""``/services/oauth2/singleaccess``: an access token exchanged for a one-time front-door URL.

What ``sf org open --url-only`` asks for: GET (or POST) with the token, get
``{"frontdoor_uri": ".../secur/frontdoor.jsp?otp=…&startURL=…&cshc=…"}``. The
embedded org has no user interface, so ``/secur/frontdoor.jsp`` accepts each
one-time password once and answers a short page naming the org and the
requested start URL. Bad tokens get 403 with the plain-text words userinfo uses.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import parse_qs, quote

from runner.emulator.directory import Directory
from runner.emulator.messages import Request, Response
from runner.emulator.sessions import SessionStore

OTP_LIFETIME_S = 60
MAX_OTPS = 256


class FrontDoor:
    """Issues and redeems one-time front-door passwords."""

    def __init__(
        self, directory: Directory, sessions: SessionStore, base_url: Callable[[], str]
    ) -> None:
        self._directory = directory
        self._sessions = sessions
        self._base_url = base_url
        self._otps: OrderedDict[str, tuple[str, str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def singleaccess(self, request: Request) -> Response:
        """200 ``{"frontdoor_uri"}`` for a live token, 403 otherwise."""
        if request.method not in ("GET", "POST"):
            return Response.text(405, "Method Not Allowed")
        form = _form(request)
        token = request.bearer_token() or form.get("access_token")
        if not token:
            return Response.text(403, "Missing_OAuth_Token")
        session = self._sessions.lookup(token)
        org = self._directory.org(session.org_id) if session else None
        if session is None or org is None:
            return Response.text(403, "Bad_OAuth_Token")
        start = form.get("redirect_uri") or "/"
        otp = secrets.token_urlsafe(24)
        with self._lock:
            self._otps[otp] = (org.org_id, start, time.monotonic() + OTP_LIFETIME_S)
            while len(self._otps) > MAX_OTPS:
                self._otps.popitem(last=False)
        uri = (
            f"{self._base_url()}/secur/frontdoor.jsp?otp={otp}"
            f"&startURL={quote(start, safe='')}&cshc={secrets.token_urlsafe(12)}"
        )
        return Response.json(200, {"frontdoor_uri": uri})

    def frontdoor(self, request: Request) -> Response:
        """``/secur/frontdoor.jsp?otp=``: a page for a fresh one-time password, 401 otherwise."""
        otp = request.params().get("otp", "")
        with self._lock:
            found = self._otps.pop(otp, None)
        if found is None or found[2] < time.monotonic():
            page = "<html><body><p>This link is invalid or has expired.</p></body></html>"
            return Response.text(401, page, "text/html")
        org = self._directory.org(found[0])
        name = html.escape(org.config.name if org else found[0])
        page = (
            f"<html><body><p>Signed in to the embedded org {name}.</p>"
            f"<p>Start URL: {html.escape(found[1])} (the embedded org has no user interface)."
            "</p></body></html>"
        )
        return Response.text(200, page, "text/html")


def _form(request: Request) -> dict[str, str]:
    """Query-string parameters, overridden by a form-encoded POST body."""
    values = request.params()
    if request.method == "POST" and request.body:
        body = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        values.update({k: v[-1] for k, v in body.items()})
    return values
