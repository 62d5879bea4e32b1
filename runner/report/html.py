"""``--html FILE``: one self-contained page a person would rather look at than read.

The run's header, a recap, per playbook the orgs × steps matrix coloured by
outcome with times, a timeline of each org's lane (when each login and step
started and ended) and every failure laid open: its checks, the request as a
curl line and the response excerpt. Inline CSS (with a print stylesheet) and a
few lines of inline script; no URL is loaded, so it reads the same offline.

Rendered from the JSON report's data (``data.invocation_data``: masked, the same
shape ``--json`` writes), so a report read back from JSON renders alike. The
template ships in the package (``templates/report.html.j2``) and runs in
Jinja2's sandbox with autoescaping on: every name and value is text, never markup.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from typing import Any

from jinja2 import PackageLoader, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from runner import __version__
from runner.report.data import invocation_data
from runner.run.results import Invocation

Data = Mapping[str, Any]
VALUE_CHARS = 200
SYMBOLS = {"ok": "✓", "changed": "✓", "failed": "✗", "skipped": "–", "interrupted": "!"}


@functools.cache
def _template() -> Any:
    environment = SandboxedEnvironment(loader=PackageLoader("runner.report", "templates"),
                                       autoescape=select_autoescape(default=True),
                                       trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("report.html.j2")


def render(invocation: Invocation) -> str:
    return render_data(invocation_data(invocation))


def render_data(report: Data) -> str:
    """The page for a JSON report's data (schemas/report.schema.json, version 2)."""
    runs = [_run(number, run) for number, run in enumerate(report["playbooks"], 1)]
    return str(_template().render(report=report, runs=runs, version=__version__,
                                  elapsed=duration(report["elapsed_ms"]),
                                  counts=_recap(report)))


def duration(ms: float | None) -> str:
    if ms is None:
        return ""
    if ms < 1:
        return "<1 ms"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


def _recap(totals: Data) -> dict[str, int]:
    """ok, changed, failed (a failed login counts), skipped (interrupted too): the console's."""
    counts = totals["counts"]
    return {"ok": counts["ok"], "changed": counts["changed"],
            "failed": counts["failed"] + totals["unreachable"],
            "skipped": counts["skipped"] + counts["interrupted"]}


def _outcome(result: Data) -> str:
    return "ignored" if result["outcome"] == "failed" and result["ignored"] else result["outcome"]


def _run(number: int, run: Data) -> dict[str, Any]:
    indexes = sorted({step["index"] for org in run["orgs"] for step in org["steps"]})
    names = {step["index"]: step["name"] for org in run["orgs"] for step in org["steps"]}
    orgs = sorted(run["orgs"], key=lambda org: (not org["failed"], org["name"]))
    results = [result for org in orgs for result in _results(org)]
    window = _window(results)
    return {
        "number": number, "run": run, "elapsed": duration(run["elapsed_ms"]),
        "counts": _recap(run),
        "steps": [{"number": n, "name": names[i]} for n, i in enumerate(indexes, 1)],
        "key_rows": [{**key, "css": _outcome(key), "symbol": SYMBOLS[key["outcome"]],
                  "time": duration(key["elapsed_ms"])} for key in run["keys"]],
        "orgs": [_org(number, org, indexes, window) for org in orgs],
        "ticks": _ticks(window),
        "failures": list(_failures(number, run)),
    }


def _results(org: Data) -> list[Data]:
    return ([org["login"]] if org["login"] else []) + list(org["steps"])


def _window(results: list[Data]) -> tuple[float, float]:
    """The timeline's first and last moments (ms after the run started): from the first
    result that started to the last that ended."""
    starts = [r["started_ms"] for r in results if r["started_ms"] is not None]
    ends = [s + r["elapsed_ms"] for r in results if (s := r["started_ms"]) is not None]
    first = min(starts, default=0.0)
    return first, max(max(ends, default=0.0), first + 1.0)


def anchor(run: int, org: str, result: Data) -> str:
    """The id of a failure's section: unique per run, org and result."""
    kind = "login" if result["kind"] == "login" else f"step-{result['index']}"
    return f"failure-{run}-{''.join(c if c.isalnum() else '-' for c in org)}-{kind}"


def _cell(run: int, org: str, result: Data | None) -> dict[str, Any]:
    if result is None:
        return {"css": "none", "text": "", "title": "not in this run"}
    css = _outcome(result)
    timed = result["outcome"] in ("ok", "changed", "failed")
    text = f"{SYMBOLS[result['outcome']]} {duration(result['elapsed_ms'])}" if timed else (
        SYMBOLS[result["outcome"]])
    items = result.get("items") or []
    if items:
        failed = sum(item["outcome"] == "failed" for item in items)
        text += f" ({len(items) - failed}/{len(items)})"
    title = f"{result['name']}: {css}" + (f" — {result['reason']}" if result["reason"] else "")
    link = f"#{anchor(run, org, result)}" if result["outcome"] == "failed" else None
    return {"css": css, "text": text, "title": title, "link": link}


def _org(run: int, org: Data, indexes: list[int], window: tuple[float, float]) -> dict[str, Any]:
    by_index = {step["index"]: step for step in org["steps"]}
    return {
        "name": org["name"], "failed": org["failed"], "unreachable": org["unreachable"],
        "elapsed": duration(org["elapsed_ms"]), "counts": _recap(
            {"counts": org["counts"], "unreachable": int(org["unreachable"])}),
        "login": _cell(run, org["name"], org["login"]),
        "cells": [_cell(run, org["name"], by_index.get(index)) for index in indexes],
        "bars": list(_bars(org, window)),
    }


def _bars(org: Data, window: tuple[float, float]) -> Iterator[dict[str, Any]]:
    """The lane's bars, placed in percent of the timeline's window; a result that does not
    say when it started follows the one before it."""
    first, last = window
    cursor = first
    for result in _results(org):
        start = result["started_ms"] if result["started_ms"] is not None else cursor
        cursor = start + result["elapsed_ms"]
        if result["outcome"] in ("skipped", "interrupted") and not result["elapsed_ms"]:
            continue
        css = _outcome(result) + (" login" if result["kind"] == "login" else "")
        yield {"left": _percent(start - first, last - first),
               "width": _percent(result["elapsed_ms"], last - first), "css": css,
               "title": f"{result['name']}: {_outcome(result)}, {duration(start)} → "
                        f"{duration(cursor)} ({duration(result['elapsed_ms'])})"}


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.3f}"


def _ticks(window: tuple[float, float]) -> list[dict[str, str]]:
    first, last = window
    return [{"left": f"{25 * n}", "label": duration(first + (last - first) * n / 4)}
            for n in range(5)]


def _failures(run: int, data: Data) -> Iterator[dict[str, Any]]:
    for key in data["keys"]:
        if key["outcome"] == "failed":
            yield _failure(run, "", key, title=key["name"])
    for org in sorted(data["orgs"], key=lambda org: (not org["failed"], org["name"])):
        login = org["login"]
        if login and login["outcome"] == "failed":
            yield _failure(run, org["name"], login, title=f"{org['name']}: log in",
                           hint=org["hint"])
        for step in org["steps"]:
            if step["outcome"] == "failed":
                yield _failure(run, org["name"], step, title=f"{org['name']}: {step['name']}")


def _failure(run: int, org: str, result: Data, *, title: str,
             hint: str | None = None) -> dict[str, Any]:
    position = result["position"]
    where = f"{position['file']}:{position['line']}" if position else ""
    return {
        "id": anchor(run, org, result), "title": title, "where": where, "hint": hint,
        "ignored": result["ignored"], "reason": result["reason"],
        "time": duration(result["elapsed_ms"]), "attempts": result["attempts"],
        "checks": [_check(check) for check in result["checks"]],
        "exchange": result["exchange"],
        "loop_items": [{**item, "css": _outcome(item), "symbol": SYMBOLS[item["outcome"]],
                   "time": duration(item["elapsed_ms"])} for item in result.get("items") or []],
    }


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _check(check: Data) -> dict[str, Any]:
    what = check["subject"] if check["expression"] in ("", check["subject"]) else (
        f"{check['subject']} {check['expression']}")
    return {"passed": check["passed"], "what": what, "matcher": check["matcher"],
            "expected": _value(check["expected"]), "actual": _value(check["actual"]),
            "message": check["message"]}
