"""The in-process emulator: orgs, sessions, store and server behind one small API.

``Emulator`` is what the runner and the tests use; ``sfjwt-emulator`` is a thin
CLI over it. Every request goes through :meth:`Emulator.handle`: find the org
it is for, apply that org's latency and faults (sleeping without any lock
held), then route it to the token endpoint or the REST API.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from runner.emulator import ids
from runner.emulator.bulk_jobs import jobs_for
from runner.emulator.config import OrgConfig, org_config, org_options_from_config
from runner.emulator.directory import Directory, OrgState
from runner.emulator.frontdoor import FrontDoor
from runner.emulator.identity import IdentityEndpoint
from runner.emulator.messages import Request, Response, rest_error
from runner.emulator.oauth import TokenEndpoint, TokenRefusal, parse_assertion
from runner.emulator.refusals import refuse
from runner.emulator.rest import RestApi
from runner.emulator.sample_data import SeedError, seed_org
from runner.emulator.server import EmulatorHTTPServer, mask_secrets
from runner.emulator.sessions import SessionStore
from runner.emulator.sourcemap import Locate
from runner.emulator.store import Store
from runner.emulator.tls import server_context

log = logging.getLogger("runner.emulator")


class EmulatedOrg:
    """A handle on one hosted org: the values a client needs to log in to it."""

    def __init__(self, emulator: Emulator, state: OrgState) -> None:
        self._emulator = emulator
        self._state = state

    @property
    def org_id(self) -> str:
        """The 18-character ``00D…`` organization id."""
        return self._state.org_id

    @property
    def name(self) -> str:
        """The org's name (its Organization.Name)."""
        return self._state.config.name

    @property
    def type(self) -> str:
        """``production`` or ``sandbox``."""
        return self._state.config.type

    @property
    def client_id(self) -> str:
        """Consumer key of the org's default connected app."""
        return self._state.config.client_id

    @property
    def username(self) -> str:
        """Username of the integration user."""
        return self._state.config.username

    @property
    def user_id(self) -> str:
        """18-character id of the integration user."""
        return self._state.integration_user.user_id

    @property
    def has_certificate(self) -> bool:
        """Whether any connected app of the org can verify an assertion."""
        return any(app.public_keys for app in self._state.config.apps)

    @property
    def login_url(self) -> str:
        """Where to POST the assertion: the emulator's base URL."""
        return self._emulator.base_url

    @property
    def instance_url(self) -> str:
        """REST base URL: the emulator's base URL (all orgs share one host)."""
        return self._emulator.base_url

    def __repr__(self) -> str:
        return f"EmulatedOrg(name={self.name!r}, org_id={self.org_id!r})"


class Emulator:
    """A Salesforce-compatible server hosting any number of orgs on one port."""

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        https: bool = False,
        data_path: str | None = None,
        tls_cert_out: str | None = None,
        config_dir: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.https = https
        self.tls_cert_out = tls_cert_out
        self.store = Store(data_path)
        self.directory = Directory()
        self.sessions = SessionStore()
        self._oauth = TokenEndpoint(self.directory, self.sessions, lambda: self.base_url)
        self._identity = IdentityEndpoint(self.directory, self.sessions, lambda: self.base_url)
        self._frontdoor = FrontDoor(self.directory, self.sessions, lambda: self.base_url)
        self._rest = RestApi(self.store, self.directory, self.sessions, lambda: self.base_url)
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._add_lock = threading.Lock()
        if config is not None:
            for i, options in enumerate(org_options_from_config(config, allow_pem=True)):
                self.add_org(options, base_dir=config_dir, where=f"emulator: orgs[{i}]")

    def add_org(
        self,
        options: Mapping[str, Any],
        *,
        base_dir: Path | None = None,
        where: str = "emulator",
        locate: Locate | None = None,
    ) -> EmulatedOrg:
        """Create an org (seeded with its users and sample data); before or after start().

        ``locate`` gives the file positions of the options, for errors (``--config``).
        """
        with self._add_lock:
            default_name = f"org{len(self.directory.orgs()) + 1}"
            cfg = org_config(
                options, default_name=default_name, base_dir=base_dir, where=where, locate=locate
            )
            self.directory.check_new(cfg)
            known = self.store.find_user(cfg.username)
            org_id = known[0] if known is not None else ids.new_id("00D")
            try:
                user_ids = self._seed(cfg, org_id)
            except SeedError as failed:
                path = ("records", failed.sobject, failed.index)
                error = failed.error
                raise cfg.error(path, f"{error.error_code}: {error.message}") from None
            state = self.directory.add(cfg, org_id, user_ids)
        return EmulatedOrg(self, state)

    def _seed(self, cfg: OrgConfig, org_id: str) -> dict[str, str]:
        return seed_org(
            self.store,
            org_id,
            organization=_organization(cfg),
            users=[
                _user_fields(u.username, u.first_name, u.last_name, u.email, u.active)
                for u in cfg.users
            ],
            sample_data=cfg.sample_data,
            records=cfg.records or None,
            random_seed=cfg.random_seed,
            schema=cfg.schema,
            fiscal_start_month=cfg.fiscal_start_month,
        )

    @property
    def orgs(self) -> list[EmulatedOrg]:
        """Every hosted org, in the order they were added."""
        return [EmulatedOrg(self, s) for s in self.directory.orgs()]

    @property
    def base_url(self) -> str:
        """``http(s)://host:port`` of the running server."""
        if self._server is None and self.port == 0:
            raise RuntimeError("the emulator is not started: its port is not known yet")
        port = self._server.server_address[1] if self._server is not None else self.port
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"{'https' if self.https else 'http'}://{host}:{port}"

    def start(self) -> None:
        """Bind and serve in a background thread."""
        if self._server is not None:
            return
        context = server_context(self.tls_cert_out) if self.https else None
        self._server = EmulatorHTTPServer((self.host, self.port), self.handle, context)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sfjwt-emulator",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, close open connections and join the server thread."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    def close(self) -> None:
        """Stop and release the record store."""
        self.stop()
        jobs_for(self.store).cancel_all()
        self.store.close()

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle(self, request: Request) -> Response:
        """Answer one request: latency and faults of its org, then the route."""
        try:
            org = self._org_for(request)
            rule = org.faults.choose(request.method, request.path) if org else None
            delay = org.config.latency_ms if org else 0
            if rule is not None and rule.latency_ms is not None:
                delay = rule.latency_ms
            if delay:
                time.sleep(delay / 1000)
            replacement = rule.replacement(request.path) if rule else None
            if replacement is not None:
                return replacement
            response = self._route(request)
            if rule is not None:
                rule.decorate(response)
            return response
        except Exception:
            log.exception(
                "internal error answering %s %s", request.method, mask_secrets(request.path)
            )
            return rest_error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred.")

    def _route(self, request: Request) -> Response:
        path = request.path
        if path.rstrip("/") == "/services/oauth2/token":
            return self._oauth.token(request)
        if path.rstrip("/") == "/services/oauth2/revoke":
            return self._oauth.revoke(request)
        if path.rstrip("/") == "/services/oauth2/userinfo":
            return self._identity.userinfo(request)
        if path.rstrip("/") == "/services/oauth2/singleaccess":
            return self._frontdoor.singleaccess(request)
        if path == "/secur/frontdoor.jsp":
            return self._frontdoor.frontdoor(request)
        refusal = refuse(request)
        if refusal is not None:
            return refusal
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "id" and request.method in ("GET", "POST"):
            return self._identity.identity(request, parts[1], parts[2])
        return self._rest.handle(request)

    def _org_for(self, request: Request) -> OrgState | None:
        """The org a request concerns: by its token, its assertion's user, or the only org."""
        token = request.bearer_token()
        if token:
            session = self.sessions.lookup(token, touch=False)
            if session is not None:
                return self.directory.org(session.org_id)
        elif request.path.rstrip("/") == "/services/oauth2/token":
            found = self._assertion_user(request)
            if found is not None:
                return found
        orgs = self.directory.orgs()
        return orgs[0] if len(orgs) == 1 else None

    def _assertion_user(self, request: Request) -> OrgState | None:
        form = parse_qs(request.body.decode("utf-8", "replace")) if request.body else {}
        assertion = (form.get("assertion") or [request.params().get("assertion", "")])[-1]
        try:
            subject = parse_assertion(assertion).subject
        except TokenRefusal:
            return None
        found = self.directory.user(subject) if subject else None
        return found[0] if found else None


def _organization(cfg: OrgConfig) -> dict[str, Any]:
    sandbox = cfg.type == "sandbox"
    return {
        "Name": cfg.name,
        "OrganizationType": "Enterprise Edition" if sandbox else "Developer Edition",
        "InstanceName": "CS1" if sandbox else "EMU1",
        "IsSandbox": sandbox,
        "TrialExpirationDate": None,
        "NamespacePrefix": None,
    }


def _user_fields(username: str, first: str, last: str, email: str, active: bool) -> dict[str, Any]:
    return {
        "Username": username,
        "FirstName": first,
        "LastName": last,
        "Email": email or username,
        "Alias": (first[:1] + last)[:8].lower() or "user",
        "IsActive": active,
    }
