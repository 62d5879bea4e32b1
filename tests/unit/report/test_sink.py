"""What reaches the process's stdout and stderr is masked, whoever wrote it."""

import io

from rich.console import Console

from runner.report.sink import MaskedStream
from runner.secrets import register


def test_every_write_is_masked_and_the_stream_keeps_its_nature() -> None:
    register("sink-secret-value-123")
    target = io.StringIO()
    stream = MaskedStream(target)
    console = Console(file=stream, width=80, no_color=True)  # type: ignore[arg-type]
    console.print("token: sink-secret-value-123", markup=False)
    console.file.write("raw sink-secret-value-123\n")
    assert target.getvalue() == "token: ***\nraw ***\n"
    assert stream.isatty() is False and stream.getvalue() == target.getvalue()
