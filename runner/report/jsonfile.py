"""``--json FILE``: the run as data for dashboards (schemas/report.schema.json)."""

from __future__ import annotations

import json

from runner.report.data import run_data
from runner.run.results import RunResult


def render(run: RunResult) -> str:
    return json.dumps(run_data(run), indent=2, default=str, ensure_ascii=False) + "\n"

