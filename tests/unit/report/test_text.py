"""Text for other programs: as is, masked like everything else, except the token exports."""

import io

from runner.cli.environment import Environment
from runner.report.text import print_raw, print_unmasked
from runner.secrets import register


def test_raw_text_is_masked_and_only_the_exports_pass_the_mask() -> None:
    register("text-secret-token-456")
    target = io.StringIO()
    env = Environment.on_streams(target, io.StringIO())
    print_raw(env.stdout, '{"a": "text-secret-token-456", "long": "' + "x" * 140 + '"}\n')
    assert env.unmasked is not None
    print_unmasked(env.unmasked, "export SF_ACCESS_TOKEN=text-secret-token-456")
    assert target.getvalue().splitlines() == [
        '{"a": "***", "long": "' + "x" * 140 + '"}',  # not wrapped at the console's width
        "export SF_ACCESS_TOKEN=text-secret-token-456",
    ]
