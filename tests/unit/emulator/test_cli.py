"""sfjwt-emulator's option handling and error exits (serving itself is covered end to end)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.emulator.cli import _flag_options, build_parser, main
from runner.errors import ExitStatus


def test_flags_become_org_options() -> None:
    args = build_parser().parse_args(
        ["--cert", "s.crt", "--client-id", "CK", "--username", "u@x", "--latency-ms", "5",
         "--fault", "{path: /x, status: 503}", "--seed", "3", "--no-sample-data",
         "--type", "sandbox"]
    )  # fmt: skip
    assert _flag_options(args) == {
        "certificate": "s.crt",
        "client_id": "CK",
        "username": "u@x",
        "latency_ms": 5,
        "random_seed": 3,
        "type": "sandbox",
        "sample_data": False,
        "faults": [{"path": "/x", "status": 503}],
    }


def test_bad_flag_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "notanumber"]) == ExitStatus.BAD_OPTIONS
    assert "sfjwt-emulator: error:" in capsys.readouterr().err


def test_bad_config_exits_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "emu.yml"
    config.write_text("orgs:\n  - name: a\n    latncy_ms: 5\n")
    assert main(["--config", str(config)]) == ExitStatus.INVALID_PLAYBOOK
    err = capsys.readouterr().err
    assert "orgs[0]" in err and "latncy_ms" in err


def test_missing_certificate_file_exits_4(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cert", "/nonexistent/server.crt"]) == ExitStatus.INVALID_PLAYBOOK
    assert "cannot read /nonexistent/server.crt" in capsys.readouterr().err


def test_bad_fault_flag_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--fault", "{path: ["]) == ExitStatus.BAD_OPTIONS


def test_org_flags_with_config_need_an_org(tmp_path: Path) -> None:
    config = tmp_path / "emu.yml"
    config.write_text("orgs:\n  - name: a\n")
    assert main(["--config", str(config), "--latency-ms", "5"]) == ExitStatus.BAD_OPTIONS


def test_port_in_use_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port), "--no-sample-data"]) == ExitStatus.BAD_OPTIONS
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
