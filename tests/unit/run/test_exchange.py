"""An exchange gives back the texts it was given, however it holds them."""

from __future__ import annotations

from runner.run.exchange import PACK_AT, Exchange


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
