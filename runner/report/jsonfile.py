"""``--json FILE``: every playbook the command ran, as data for dashboards and
``report merge`` (schemas/report.schema.json)."""

from __future__ import annotations

import json

from runner.report.data import invocation_data
from runner.run.results import Invocation


def render(invocation: Invocation) -> str:
    return json.dumps(invocation_data(invocation), indent=2, default=str,
                      ensure_ascii=False) + "\n"
