"""Text for other programs: as is, masked like everything else, except the token exports."""

import io

from rich.console import Console

from runner.report.sink import MaskedStream
from runner.report.text import print_raw, print_unmasked
from runner.secrets import register


def test_raw_text_is_masked_and_only_the_exports_pass_the_mask() -> None:
    register("text-secret-token-456")
    target = io.StringIO()
    console = Console(file=MaskedStream(target), width=20, no_color=True)  # type: ignore[arg-type]
    print_raw(console, '{"a": "text-secret-token-456", "long": "' + "x" * 40 + '"}\n')
    print_unmasked(console, "export SF_ACCESS_TOKEN=text-secret-token-456")
    assert target.getvalue().splitlines() == [
        '{"a": "***", "long": "' + "x" * 40 + '"}',  # not wrapped at the console's width
        "export SF_ACCESS_TOKEN=text-secret-token-456",
    ]
