"""Who a token belongs to: ``/services/oauth2/userinfo`` and the identity URL ``/id/{org}/{user}``.

Unlike the REST API these answer a bad token with 403 and a plain-text word
(``Bad_OAuth_Token``), not 401 and a JSON array, so clients that refresh only
on 401 do not refresh here either.
"""

from __future__ import annotations

from collections.abc import Callable

from runner.emulator.directory import Directory, OrgState, UserRecord
from runner.emulator.messages import Request, Response
from runner.emulator.sessions import SessionStore


class IdentityEndpoint:
    """userinfo and the identity URL, for live tokens."""

    def __init__(
        self, directory: Directory, sessions: SessionStore, base_url: Callable[[], str]
    ) -> None:
        self._directory = directory
        self._sessions = sessions
        self._base_url = base_url

    def _session_user(self, request: Request) -> tuple[OrgState, UserRecord] | Response:
        token = request.bearer_token() or request.params().get("oauth_token")
        if not token:
            return Response.text(403, "Missing_OAuth_Token")
        session = self._sessions.lookup(token)
        org = self._directory.org(session.org_id) if session else None
        found = self._directory.user(session.username) if session else None
        if org is None or found is None:
            return Response.text(403, "Bad_OAuth_Token")
        return org, found[1]

    def userinfo(self, request: Request) -> Response:
        """OpenID Connect userinfo: 200 with a live token, else 403 plain text."""
        found = self._session_user(request)
        if isinstance(found, Response):
            return found
        org, user = found
        base = self._base_url()
        body = {
            "sub": f"{base}/id/{org.org_id}/{user.user_id}",
            "user_id": user.user_id,
            "organization_id": org.org_id,
            "preferred_username": user.username,
            "nickname": user.username.split("@")[0],
            "name": user.display_name,
            "email": user.email,
            "email_verified": True,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "zoneinfo": "GMT",
            "profile": f"{base}/{user.user_id}",
            "urls": _urls(base, org.org_id, user.user_id),
            **_user_status(user),
        }
        return Response.json(200, body)

    def identity(self, request: Request, org_id: str, user_id: str) -> Response:
        """The identity URL returned as ``id`` by the token endpoint."""
        found = self._session_user(request)
        if isinstance(found, Response):
            return found
        org, user = found
        if org_id != org.org_id:
            return Response.text(403, "Wrong_Org")
        if user_id != user.user_id:
            return Response.text(403, "Bad_Id")
        base = self._base_url()
        body = {
            "id": f"{base}/id/{org.org_id}/{user.user_id}",
            "asserted_user": True,
            "user_id": user.user_id,
            "organization_id": org.org_id,
            "username": user.username,
            "nick_name": user.username.split("@")[0],
            "display_name": user.display_name,
            "email": user.email,
            "email_verified": True,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "timezone": "GMT",
            "urls": _urls(base, org.org_id, user.user_id),
            **_user_status(user),
        }
        return Response.json(200, body)


def _urls(base: str, org_id: str, user_id: str) -> dict[str, str]:
    data = f"{base}/services/data/v{{version}}"
    return {
        "enterprise": f"{base}/services/Soap/c/{{version}}/{org_id[:15]}",
        "partner": f"{base}/services/Soap/u/{{version}}/{org_id[:15]}",
        "rest": f"{data}/",
        "sobjects": f"{data}/sobjects/",
        "search": f"{data}/search/",
        "query": f"{data}/query/",
        "recent": f"{data}/recent/",
        "tooling_rest": f"{data}/tooling/",
        "profile": f"{base}/{user_id}",
        "custom_domain": base,
    }


def _user_status(user: UserRecord) -> dict[str, object]:
    """The fields userinfo and the identity URL share after the user's names."""
    return {"active": user.active, "user_type": "STANDARD", "language": "en_US",
            "locale": "en_US", "utcOffset": 0, "is_app_installed": True}
