"""The keep-alive session every org client uses: pooled, guarded, no netrc, environment read once.

Its adapter's connections can be reached by a
:class:`~runner.salesforce.watchdog.Guard` (deadlines, Ctrl-C); gzip and deflate
are the only encodings asked for, because :mod:`runner.salesforce.transfer`
inflates them itself under a cap. A request goes from the prepared request straight to
the adapter: what ``Session.request`` merges on every call (its headers, the
environment's proxies and CA bundle, hooks and cookies, none of which change during a
run) is merged once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import requests
from requests._internal_utils import to_native_string
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar, merge_cookies
from requests.sessions import merge_setting
from requests.structures import CaseInsensitiveDict
from requests.utils import check_header_validity, get_environ_proxies, select_proxy

from runner.context import current
from runner.errors import TransportError
from runner.salesforce import cooperative
from runner.salesforce.plain import PlainAdapter
from runner.salesforce.transfer import ACCEPT_ENCODING
from runner.salesforce.urls import origin
from runner.salesforce.watchdog import GuardedAdapter

_DIRECT = frozenset({"params", "data", "headers", "timeout", "verify", "stream",
                     "allow_redirects"})
"""The arguments of a request that can take the direct way."""
_KNOWN_URLS = 256
"""How many prepared URLs a session keeps (all of them are forgotten when it is full)."""


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

    def __init__(self, plain: PlainAdapter | None = None) -> None:
        super().__init__()
        self._plain = plain
        self._environment: dict[tuple[str, str | None], dict[str, str]] = {}
        self._settings: dict[tuple[str, Any], dict[str, Any]] = {}
        self._urls: dict[str, str] = {}

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """``Session.request``; a streamed request without redirects, files, cookies, auth
        or hooks of its own (every request the runner sends) takes the direct way."""
        if args or set(kwargs) - _DIRECT or not kwargs.get("stream") or kwargs.get(
                "allow_redirects", True) or any(self.hooks.values()):
            return _off_the_hub(partial(super().request, method, url, *args, **kwargs))
        return self._direct(str(method), str(url), kwargs)

    def _direct(self, method: str, url: str, options: dict[str, Any]) -> requests.Response:
        """What ``Session.request`` and ``Session.send`` do for such a request, with the
        session's headers and the environment's settings merged once."""
        prepared = requests.PreparedRequest()
        prepared.prepare_method(method)
        self._prepare_url(prepared, url, options.get("params") or None)
        prepared.headers = self._headers(options.get("headers"))
        if self.cookies:  # a jar that holds something: sent as requests sends it
            prepared.prepare_cookies(merge_cookies(RequestsCookieJar(), self.cookies))
        prepared.prepare_body(options.get("data") or {}, None)
        if not isinstance(self.auth, _NoNetrc):  # that one changes nothing
            prepared.prepare_auth(self.auth, url)
        settings = self._settings_for(prepared.url or url, options.get("verify"))
        adapter = self._adapter_for(prepared, settings)
        send = partial(adapter.send, prepared, stream=True, timeout=options.get("timeout"),
                       verify=settings["verify"], cert=settings["cert"],
                       proxies=settings["proxies"])
        response = send() if adapter is self._plain else _off_the_hub(send)
        if "set-cookie" in response.headers:
            extract_cookies_to_jar(self.cookies, prepared, response.raw)
        return response

    def _prepare_url(self, prepared: requests.PreparedRequest, url: str,
                     params: Any) -> None:
        """requests' URL preparation (parsing, IDNA, quoting), done once per URL without
        parameters: a fleet's steps send the same few URLs again and again."""
        if params is not None:
            prepared.prepare_url(url, params)
            return
        known = self._urls.get(url)
        if known is None:
            prepared.prepare_url(url, None)
            if len(self._urls) >= _KNOWN_URLS:
                self._urls.clear()
            known = self._urls[url] = prepared.url or url
        prepared.url = known

    def close(self) -> None:
        super().close()
        if self._plain is not None:
            self._plain.close()

    def _adapter_for(self, prepared: requests.PreparedRequest,
                     settings: dict[str, Any]) -> requests.adapters.BaseAdapter:
        """The plain adapter for a direct connection with a body in memory; the
        mounted one (urllib3's pools) through a proxy or with a client certificate."""
        url = prepared.url or ""
        if (self._plain is not None and settings["cert"] is None
                and not (settings["proxies"] and select_proxy(url, settings["proxies"]))
                and isinstance(prepared.body, str | bytes | None)):
            return self._plain
        return self.get_adapter(url=url)

    def _headers(self, extra: Mapping[str, Any] | None) -> CaseInsensitiveDict[Any]:
        """The session's headers, then the request's (checked as requests checks them);
        a header set to None is left out."""
        merged = CaseInsensitiveDict(self.headers)
        for header in (extra or {}).items():
            check_header_validity(header)
            merged[to_native_string(header[0])] = header[1]
        for name in [name for name, value in merged.items() if value is None]:
            del merged[name]
        return merged

    def _settings_for(self, url: str, verify: Any) -> dict[str, Any]:
        key = (origin(url), verify)
        found = self._settings.get(key)
        if found is None:
            found = self._settings[key] = self.merge_environment_settings(
                url, {}, True, verify, None)
        return found

    def merge_environment_settings(  # the same settings as requests', minus the rescans
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        if self.trust_env:
            no_proxy = proxies.get("no_proxy") if proxies else None
            key = (origin(str(url)), no_proxy)
            found = self._environment.get(key)
            if found is None:
                found = self._environment[key] = _environ_proxies(str(url), no_proxy)
            proxies = {**found, **(proxies or {})}
            if verify is True or verify is None:
                verify = _environment_ca_bundle(str(url)) or verify
        return {
            "proxies": merge_setting(proxies, self.proxies),
            "stream": merge_setting(stream, self.stream),
            "verify": merge_setting(verify, self.verify),
            "cert": merge_setting(cert, self.cert),
        }


class _OffloadedReads:
    """A urllib3 response whose body reads run off the hub's thread, as its headers did."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def read(self, *args: Any, **kwargs: Any) -> Any:
        return cooperative.offload(partial(self._raw.read, *args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def _off_the_hub(send: Callable[[], requests.Response]) -> requests.Response:
    """A request through urllib3's pools (a proxy, a client certificate), which can only
    block: on a lane of a hub it runs on a worker thread, its body read there too."""
    if cooperative.current() is None:
        return send()
    response = cooperative.offload(send)
    response.raw = _OffloadedReads(response.raw)
    return response


_PROXIES: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], dict[str, str]] = {}
"""requests' answer for each origin under each set of proxy variables (shared by sessions)."""


def _environ_proxies(url: str, no_proxy: str | None) -> dict[str, str]:
    """``requests.utils.get_environ_proxies``, worked out once per origin and proxy
    variables for every session of the process: it reads and decodes the whole environment
    twice, about 350 µs of each org's login (every org's lane has a session of its own)."""
    variables = tuple(sorted((name, value) for name, value in current().environ.items()
                             if name.lower().endswith("_proxy") or name == "REQUEST_METHOD"))
    key = (origin(url), no_proxy, variables)
    found = _PROXIES.get(key)
    if found is None:
        if len(_PROXIES) >= _KNOWN_URLS:
            _PROXIES.clear()
        found = _PROXIES[key] = get_environ_proxies(url, no_proxy)
    return dict(found)


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
    session = _Session(PlainAdapter(pool_size))
    session.headers["Accept-Encoding"] = ACCEPT_ENCODING
    adapter = GuardedAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.auth = _NoNetrc()
    return session
