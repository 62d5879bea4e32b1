"""An exchange gives back the texts it was given, however it holds them; one made by a
step is masked when read, with every secret its run knows by then."""

from __future__ import annotations

import json

from runner import secrets
from runner.run.actions import curl_words, exchange_of
from runner.run.exchange import PACK_AT, Exchange
from runner.salesforce.response import Response


def test_texts_come_back_as_given_short_long_and_odd() -> None:
    long = '{"records": [' + ", ".join(f'{{"Name": "Ünïcode {n} …"}}' for n in range(40)) + "]}"
    odd = "bad \ud800 surrogate " * 10  # a lone surrogate, as a JSON "\\ud800" decodes
    for excerpt, text in (("", ""), ("[]", "[]"), (long, long * 3), (odd, "x" * PACK_AT)):
        exchange = Exchange("GET", "https://x/1", 200, excerpt, "curl https://x/1", text)
        assert (exchange.response_excerpt, exchange.response_text) == (excerpt, text)
        assert exchange == Exchange(**exchange.as_dict())
    assert Exchange("GET", "u", 200, long) != Exchange("GET", "u", 200, long + " ")


def test_a_long_text_is_held_in_less_room_than_itself() -> None:
    excerpt = '{"DailyApiRequests": {"Max": 15000, "Remaining": 14000}, ' * 12
    held = Exchange("GET", "u", 200, excerpt)._excerpt
    assert isinstance(held, bytes) and len(held) < len(excerpt) / 3


def response(url: str, text: str) -> Response:
    return Response(method="GET", url=url, status=200, headers={}, text=text, elapsed_ms=1.0)


def test_an_exchange_is_masked_when_read_with_every_secret_known_by_then() -> None:
    registry = secrets.SecretRegistry()
    token = "00DXX0000001abc!AQ" + "t" * 40
    body = json.dumps({"echo": "later-secret-value-0123456789", "pad": "x" * 900})
    with secrets.use(registry):
        made = exchange_of("POST", response(f"https://x/a?sig={token}", body),
                           curl_words("POST", "https://x/a", None), token_sent=True,
                           whole=True)
        registry.add("later-secret-value-0123456789")  # known only after the exchange was made
    shown = made.as_dict()
    assert "later-secret-value-0123456789" not in json.dumps(shown)
    assert token not in json.dumps(shown)
    assert shown["response_excerpt"].startswith("{\"echo\": \"***\", \"pad\": \"xxx")
    assert shown["response_excerpt"].endswith("x …")
    assert shown["curl"].startswith("curl -sS -X POST https://x/a -H \"Authorization: Bearer")
    assert json.loads(shown["response_text"])["echo"] == secrets.MASK


def test_a_secret_straddling_the_excerpt_cut_is_masked_whole() -> None:
    registry = secrets.SecretRegistry()
    secret = "straddling-secret-" + "s" * 60
    text = "a" * 590 + secret + "b" * 100
    with secrets.use(registry):
        registry.add(secret)
        made = exchange_of("GET", response("https://x/", text), curl_words("GET", "https://x/"),
                           token_sent=False, whole=False)
    assert "straddling" not in made.response_excerpt
    assert made.response_excerpt.startswith("a" * 590 + secrets.MASK[:10])
