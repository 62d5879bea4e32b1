"""``--markdown FILE``: a summary for CI step summaries (e.g. GitHub's), every playbook in one.

Each playbook gets its recap (a row per org, one for its keys and the total, all
from the one tally), its keys, its orgs × steps matrix and its failures, loop items
included. Every text from a playbook or a server is escaped so that GitHub shows it
as it is: ``<tags>`` are not swallowed as HTML, and pipes, backticks, asterisks and
brackets neither break a table nor start formatting.
"""

from __future__ import annotations

from runner.report import matrix
from runner.report.data import VERDICTS
from runner.report.wording import (
    RECAP_COLUMNS,
    describe_check,
    extra_columns,
    extra_counts,
    reason_text,
    recap_counts,
)
from runner.run.results import Invocation, Outcome, RunResult, StepResult, Tally
from runner.secrets import redact

_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;",  # HTML: GitHub drops tags it does not allow
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "~": "\\~",
    "|": "\\|",  # a cell's end, even inside code spans in a table
    "\n": " ", "\r": " ",
})


def escape(text: str) -> str:
    """Masked text that GitHub's markdown shows as it is, in a table cell or a list item."""
    return redact(text).translate(_ESCAPES)


def _verdict(status: int) -> str:
    return VERDICTS.get(status, "error").upper()


def _count_row(label: str, tally: Tally, elapsed_ms: float, extra: tuple[str, ...]) -> str:
    counts = " | ".join(map(str, recap_counts(tally) + extra_counts(tally, extra)))
    return f"| {label} | {counts} | {elapsed_ms / 1000:.2f} s |"


def _summary(run: RunResult, level: str) -> list[str]:
    extra = extra_columns(org.tally for org in run.orgs)  # rescued, aborted: when there are
    lines = [f"{level} {escape(run.name)}", "",
             f"**{_verdict(int(run.exit_status))}** — {escape(run.playbook)}, "
             f"{len(run.orgs)} org(s), {run.elapsed_ms / 1000:.2f} s", "",
             "| org | " + " | ".join((*RECAP_COLUMNS, *extra)) + " | time |",
             "|---|" + "---:|" * (len(RECAP_COLUMNS) + len(extra) + 1)]
    if run.keys:
        lines.append(_count_row("*keys*", Tally.of(run.keys),
                                sum(key.elapsed_ms for key in run.keys), extra))
    for org in matrix.ordered_orgs(run):
        lines.append(_count_row(escape(org.name), org.tally, org.elapsed_ms, extra))
    lines.append(_count_row("**total**", run.tally, run.elapsed_ms, extra))
    return lines


def _keys(run: RunResult, level: str) -> list[str]:
    if not run.keys:
        return []
    lines = ["", f"{level}# Keys", "", "| key | outcome | detail |", "|---|---|---|"]
    for key in run.keys:
        word = f"{matrix.SYMBOLS[key.outcome]} {key.outcome.value}"
        lines.append(f"| {escape(key.name)} | {word} | {escape(reason_text(key))} |")
    return lines


def _cell(step: StepResult | None) -> str:
    text = matrix.cell(step)
    if step is not None and step.items:
        failed = sum(item.outcome is Outcome.FAILED for item in step.items)
        text += f", {failed} of {len(step.items)} items failed" if failed else (
            f", {len(step.items)} items")
    return text


def _matrix(run: RunResult, level: str) -> list[str]:
    indexes = matrix.step_indexes(run)
    names = matrix.step_names(run)
    header = ["org", "log in", *(f"{n}. {escape(name)}" for n, name in enumerate(names, 1))]
    lines = ["", f"{level}# Orgs × steps", "", "| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)]
    for org in matrix.ordered_orgs(run):
        by_index = {step.index: step for step in org.steps}
        cells = [escape(org.name), matrix.login_cell(org),
                 *(_cell(by_index.get(i)) for i in indexes)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _step_failure(org: str, step: StepResult) -> list[str]:
    shown = " (ignored)" if step.ignored else (
        " (rescued)" if step.outcome is Outcome.RESCUED else "")
    lines = [f"- **{escape(org)}** / {escape(step.name)}{shown}"]
    if not step.items:
        details = [describe_check(c) for c in step.failed_checks] or [reason_text(step)]
        return lines + [f"  - {escape(detail)}" for detail in details]
    for item in step.items:
        if item.outcome is Outcome.FAILED:
            details = [describe_check(c) for c in item.failed_checks] or [reason_text(item)]
            lines.append(f"  - item {escape(item.item or '')}: "
                         + "; ".join(escape(detail) for detail in details))
    return lines


def _failures(run: RunResult, level: str) -> list[str]:
    lines = [f"- **{escape(key.name)}** — {escape(reason_text(key))}"
             for key in run.keys if key.outcome is Outcome.FAILED]
    for org in matrix.ordered_orgs(run):
        if org.unreachable and org.login:
            lines.append(f"- **{escape(org.name)}** — {escape(reason_text(org.login))}")
            if org.hint:
                lines.append(f"  - hint: {escape(org.hint)}")
        for step in org.steps:
            if step.outcome in (Outcome.FAILED, Outcome.RESCUED):
                lines.extend(_step_failure(org.name, step))
    return ["", f"{level}# Failures", "", *lines] if lines else []


def _messages(run: RunResult, level: str) -> list[str]:
    """What debug steps (and asserts' success_msg) said, org by org."""
    lines = [f"- **{escape(org.name)}** / {escape(step.name)}: {escape(step.message)}"
             for org in matrix.ordered_orgs(run) for step in org.steps
             if step.message is not None]
    return ["", f"{level}# Messages", "", *lines] if lines else []


def _run(run: RunResult, level: str) -> list[str]:
    return (_summary(run, level) + _keys(run, level) + _matrix(run, level)
            + _failures(run, level) + _messages(run, level))


def _in_words(tally: Tally) -> str:
    pairs = zip(recap_counts(tally), RECAP_COLUMNS, strict=True)
    return ", ".join(f"{count} {word}" for count, word in pairs)


def render(invocation: Invocation) -> str:
    runs = invocation.runs
    if len(runs) == 1:
        return "\n".join(_run(runs[0], "##")) + "\n"
    lines = [f"## sfjwt-run: {len(runs)} playbooks", "",
             f"**{_verdict(int(invocation.exit_status))}** — {_in_words(invocation.tally)}, "
             f"{invocation.elapsed_ms / 1000:.2f} s"]
    for run in runs:
        lines += ["", *_run(run, "###")]
    return "\n".join(lines) + "\n"
