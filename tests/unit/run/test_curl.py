"""The -v curl line: pastable into a shell, the token as $SF_ACCESS_TOKEN, and only when sent."""

from __future__ import annotations

import json
import shlex

from runner import secrets
from runner.playbook.loader import load_text
from runner.playbook.model import build_playbook
from runner.playbook.step_parts import RequestSpec
from runner.run.actions import as_curl


def request_of(text: str) -> RequestSpec | None:
    playbook = build_playbook(load_text("name: x\nsteps:\n  - name: s\n" + text, "pb.yml"))
    return playbook.steps[0].request


def test_the_token_is_a_shell_variable_and_the_rest_is_quoted() -> None:
    request = request_of("    request:\n      method: POST\n      path: /x\n"
                         "      headers: {X-Note: it's}\n      json: {Name: O'Hara}\n")
    line = as_curl("POST", "https://acme.my.salesforce.com/x?a=1&b=2", request, token_sent=True)
    words = shlex.split(line)
    assert words[:6] == ["curl", "-sS", "-X", "POST", "https://acme.my.salesforce.com/x?a=1&b=2",
                         "-H"]
    assert words[6] == "Authorization: Bearer $SF_ACCESS_TOKEN"  # double quotes: it expands
    assert '"Authorization: Bearer $SF_ACCESS_TOKEN"' in line
    assert words[7:] == ["-H", "X-Note: it's", "-H", "Content-Type: application/json",
                         "--data-raw", '{"Name": "O\'Hara"}']


def test_no_authorization_when_no_token_was_sent() -> None:
    line = as_curl("GET", "https://other.example.com/data", token_sent=False)
    assert line == "curl -sS -X GET https://other.example.com/data"


def test_a_real_bearer_is_still_masked_and_a_variable_is_not() -> None:
    assert secrets.redact("Authorization: Bearer 00Dxx0000000001!AQ4Aabc") == (
        "Authorization: Bearer ***")
    assert secrets.redact('-H "Authorization: Bearer $SF_ACCESS_TOKEN"') == (
        '-H "Authorization: Bearer $SF_ACCESS_TOKEN"')
    assert secrets.redact("Bearer ${TOKEN}") == "Bearer ${TOKEN}"
    assert secrets.redact("Bearer $notavariable-but-a-value") == "Bearer ***"


def test_masking_keeps_a_json_escaped_curl_line_valid_json() -> None:
    text = json.dumps({"curl": '-H "Authorization: Bearer $SF_ACCESS_TOKEN"',
                       "echo": 'sent "Authorization: Bearer opaque-token-value" back'})
    masked = json.loads(secrets.redact(text))
    assert masked == {"curl": '-H "Authorization: Bearer $SF_ACCESS_TOKEN"',
                      "echo": 'sent "Authorization: Bearer ***" back'}
