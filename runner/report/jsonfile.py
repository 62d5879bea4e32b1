"""``--json FILE``: every playbook the command ran, as data for dashboards and
``report merge`` (schemas/report.schema.json)."""

from __future__ import annotations

import json

from runner.report.data import invocation_data
from runner.run.results import Invocation


def render(invocation: Invocation) -> str:
    # invocation_data is plain (json_safe): allow_nan=False holds it to strict JSON
    return json.dumps(invocation_data(invocation), indent=2, allow_nan=False,
                      ensure_ascii=False) + "\n"
