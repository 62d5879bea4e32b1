"""``--markdown FILE``: a summary for CI step summaries (e.g. GitHub's)."""

from __future__ import annotations

from runner.report import matrix
from runner.report.data import VERDICTS
from runner.report.wording import RECAP_COLUMNS, describe_check, reason_text, recap_counts
from runner.run.results import Outcome, RunResult
from runner.secrets import redact


def _escape(text: str) -> str:
    return redact(text).replace("|", "\\|").replace("\n", " ")


def _summary(run: RunResult) -> list[str]:
    verdict = VERDICTS.get(int(run.exit_status), "error")
    lines = [f"## {_escape(run.name)}", "",
             f"**{verdict.upper()}** — `{run.playbook}`, {len(run.orgs)} org(s), "
             f"{run.elapsed_ms / 1000:.2f} s", "",
             "| org | " + " | ".join(RECAP_COLUMNS) + " | time |",
             "|---|" + "---:|" * (len(RECAP_COLUMNS) + 1)]
    for org in matrix.ordered_orgs(run):
        counts = " | ".join(map(str, recap_counts(org.tally)))
        lines.append(f"| {org.name} | {counts} | {org.elapsed_ms / 1000:.2f} s |")
    return lines


def _matrix(run: RunResult) -> list[str]:
    indexes = matrix.step_indexes(run)
    names = matrix.step_names(run)
    header = ["org", "log in", *(f"{n}. {_escape(name)}" for n, name in enumerate(names, 1))]
    lines = ["", "### Orgs × steps", "", "| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)]
    for org in matrix.ordered_orgs(run):
        lines.append("| " + " | ".join([org.name, *matrix.row(org, indexes)]) + " |")
    return lines


def _failures(run: RunResult) -> list[str]:
    lines = [f"- **{_escape(key.name)}** — {_escape(reason_text(key))}"
             for key in run.keys if key.outcome is Outcome.FAILED]
    for org in matrix.ordered_orgs(run):
        if org.unreachable and org.login:
            lines.append(f"- **{org.name}** — {_escape(reason_text(org.login))}")
            if org.hint:
                lines.append(f"  - hint: {_escape(org.hint)}")
        for step in org.steps:
            if step.outcome is not Outcome.FAILED:
                continue
            lines.append(f"- **{org.name}** / {_escape(step.name)}"
                         + (" (ignored)" if step.ignored else ""))
            details = [describe_check(c) for c in step.failed_checks] or [reason_text(step)]
            lines.extend(f"  - {_escape(detail)}" for detail in details)
    return ["", "### Failures", "", *lines] if lines else []


def render(run: RunResult) -> str:
    return "\n".join(_summary(run) + _matrix(run) + _failures(run)) + "\n"

