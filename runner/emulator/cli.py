"""``sfjwt-emulator``: the embedded org as a standalone server.

Prints the base URL and, per org, the consumer key and username to use; logs
one line per request on stderr (tokens masked); stops cleanly on SIGTERM or
Ctrl-C. Org options come from flags (one org) and/or ``--config`` (many).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import yaml

from runner import __version__
from runner.emulator.app import Emulator
from runner.emulator.config import load_config_file
from runner.errors import ExitStatus, SfjwtError, UsageError

log = logging.getLogger("runner.emulator")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message, hint="see sfjwt-emulator --help")


def build_parser() -> argparse.ArgumentParser:
    """The command line, documented in ``--help``."""
    p = _Parser(
        prog="sfjwt-emulator",
        description="A Salesforce-compatible org (JWT bearer token endpoint and REST API) "
        "on loopback, for tests and offline runs.",
    )
    server = p.add_argument_group("server")
    server.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    server.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    server.add_argument("--https", action="store_true", help="serve TLS with a self-signed cert")
    server.add_argument("--tls-cert-out", metavar="FILE", help="write the TLS certificate here")
    server.add_argument("--data", metavar="FILE", help="keep records in this SQLite file")
    server.add_argument("--config", metavar="FILE", help="YAML/JSON file with many orgs")
    server.add_argument("-q", "--quiet", action="store_true", help="no request log")
    org = p.add_argument_group("one org from flags")
    org.add_argument("--name", help="org name")
    org.add_argument("--type", choices=("production", "sandbox"), help="org type")
    org.add_argument("--cert", metavar="FILE", help="X.509 certificate of the connected app")
    org.add_argument("--client-id", metavar="ID", help="consumer key (default: generated)")
    org.add_argument("--username", metavar="NAME", help="integration user's username")
    org.add_argument("--latency-ms", type=int, metavar="N", help="delay for every request")
    org.add_argument(
        "--bulk-processing-ms", type=int, metavar="N",
        help="how long a Bulk API 2.0 job stays queued and in progress (default 500)",
    )  # fmt: skip
    org.add_argument(
        "--fault",
        action="append",
        metavar="RULE",
        help='fault rule as YAML/JSON, e.g. \'{path: "/services/data/*/query*", status: 503, '
        "rate: 0.2}' (repeatable)",
    )
    org.add_argument("--seed", type=int, metavar="N", help="random seed (faults, sample data)")
    org.add_argument("--session-timeout", type=int, metavar="S", help="idle seconds per token")
    org.add_argument("--daily-api-limit", type=int, metavar="N", help="DailyApiRequests Max")
    org.add_argument("--no-sample-data", action="store_true", help="seed no sample records")
    org.add_argument(
        "--describe",
        action="append",
        metavar="FILE",
        help="describe file of an object (sf sobject describe -s X --json), loaded as its "
        "schema (repeatable)",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


_FLAG_KEYS = {
    "name": "name",
    "type": "type",
    "cert": "certificate",
    "client_id": "client_id",
    "username": "username",
    "latency_ms": "latency_ms",
    "bulk_processing_ms": "bulk_processing_ms",
    "seed": "random_seed",
    "session_timeout": "session_timeout_s",
    "daily_api_limit": "daily_api_limit",
}


_IDENTITY_KEYS = frozenset({"certificate", "client_id", "username"})


def _flag_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {
        key: getattr(args, flag)
        for flag, key in _FLAG_KEYS.items()
        if getattr(args, flag) is not None
    }
    if args.no_sample_data:
        options["sample_data"] = False
    if args.describe:
        options["describe"] = list(args.describe)
    faults = []
    for text in args.fault or []:
        try:
            faults.append(yaml.safe_load(text))
        except yaml.YAMLError:
            raise UsageError(f"--fault {text!r}: not a YAML or JSON mapping") from None
    if faults:
        options["faults"] = faults
    return options


def _announce(emulator: Emulator, out: TextIO) -> None:
    lines = [f"sfjwt-emulator listening on {emulator.base_url}"]
    for org in emulator.orgs:
        lines += [f"org {org.name} ({org.type}) {org.org_id}", f"  login_url: {org.login_url}",
                  f"  client_id: {org.client_id}", f"  username:  {org.username}"]
        if not org.has_certificate:
            lines.append("  (no certificate: logins fail until one is given, e.g. --cert FILE)")
    lines.append("Ctrl-C or SIGTERM stops the server.")
    _tell(out, "\n".join(lines) + "\n")


def _tell(out: TextIO, text: str) -> None:
    """Write to ``out``; a reader that has gone (``| head -1`` took the URL) is no error:
    the orgs go on serving and what follows is written nowhere."""
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())  # also for exit's flush


@contextlib.contextmanager
def _request_log(quiet: bool, err: TextIO) -> Iterator[None]:
    """Send the request log to ``err`` while serving; leave the logger as it was after."""
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    level, propagate = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        log.propagate = propagate


def serve(args: argparse.Namespace, out: TextIO, stop: threading.Event) -> None:
    """Build the emulator from the options, serve until ``stop`` is set, then shut down."""
    emulator = Emulator(
        host=args.host, port=args.port, https=args.https, data_path=args.data,
        tls_cert_out=args.tls_cert_out,
    )  # fmt: skip
    try:
        options = _flag_options(args)
        if args.config:
            base = Path(args.config).resolve().parent
            for i, (entry, locate) in enumerate(load_config_file(args.config)):
                where = f"{args.config}: orgs[{i}]"
                emulator.add_org(entry, base_dir=base, where=where, locate=locate)
        if not args.config or set(options) & _IDENTITY_KEYS:
            emulator.add_org(options, base_dir=Path.cwd(), where="options")
        elif options:
            raise UsageError(
                "org options given with --config but no org to apply them to",
                hint="put them in the config file, or add --cert/--client-id/--username "
                "to make one more org from flags",
            )
        try:
            emulator.start()
        except OSError as exc:
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
        _announce(emulator, out)
        while not stop.wait(0.5):
            pass
    finally:
        emulator.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the exit status."""
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        args = build_parser().parse_args(argv)
        for signum in previous:
            signal.signal(signum, on_signal)
        with _request_log(args.quiet, sys.stderr):
            serve(args, sys.stdout, stop)
    except SfjwtError as error:
        sys.stderr.write(f"sfjwt-emulator: error: {error}\n")
        if error.hint:
            sys.stderr.write(f"  hint: {error.hint}\n")
        return int(error.exit_status)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    _tell(sys.stdout, "sfjwt-emulator stopped\n")
    return int(ExitStatus.OK)


if __name__ == "__main__":
    raise SystemExit(main())
