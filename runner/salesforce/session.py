"""The keep-alive session every org client uses: pooled, guarded, no netrc, environment read once.

Its adapter's connections can be reached by a
:class:`~runner.salesforce.watchdog.Guard` (deadlines, Ctrl-C); gzip and deflate
are the only encodings asked for, because :mod:`runner.salesforce.transfer`
inflates them itself under a cap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies

from runner.context import current
from runner.errors import TransportError
from runner.salesforce.transfer import ACCEPT_ENCODING
from runner.salesforce.urls import origin
from runner.salesforce.watchdog import GuardedAdapter


class _NoNetrc(requests.auth.AuthBase):
    """Stops requests from reading ~/.netrc, whose Basic auth would replace our bearer header."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


class _Session(requests.Session):
    """A session that reads proxy and CA-bundle variables once per origin, not per request.

    requests scans the whole environment twice per request (``getproxies``);
    with a few hundred variables that was a quarter of a request's CPU. The
    answer only depends on the origin (``NO_PROXY`` matches hosts), so it is kept.
    """

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple[str, str | None], dict[str, str]] = {}

    def merge_environment_settings(  # the same settings as requests', minus the rescans
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        if self.trust_env:
            no_proxy = proxies.get("no_proxy") if proxies else None
            key = (origin(str(url)), no_proxy)
            found = self._environment.get(key)
            if found is None:
                found = self._environment[key] = get_environ_proxies(str(url), no_proxy)
            proxies = {**found, **(proxies or {})}
            if verify is True or verify is None:
                verify = _environment_ca_bundle(str(url)) or verify
        return {
            "proxies": merge_setting(proxies, self.proxies),
            "stream": merge_setting(stream, self.stream),
            "verify": merge_setting(verify, self.verify),
            "cert": merge_setting(cert, self.cert),
        }


def _environment_ca_bundle(url: str) -> str | None:
    """REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE; for https, a TransportError if it is not a file."""
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        bundle = current().environ.get(variable)
        if bundle:
            if url[:6].lower() == "https:" and not Path(bundle).is_file():
                raise TransportError(
                    f"{variable}={bundle} is not a file of CA certificates",
                    hint=f"point {variable} at a PEM bundle, or unset it",
                )
            return bundle
    return None


def new_session(pool_size: int = 4) -> requests.Session:
    """A keep-alive session: pooled connections, no urllib3 retries (ours decide), no netrc."""
    session = _Session()
    session.headers["Accept-Encoding"] = ACCEPT_ENCODING
    adapter = GuardedAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.auth = _NoNetrc()
    return session
