"""Variables that use variables, checked before the run (``--syntax-check`` and every run)."""

from __future__ import annotations

import pytest

from runner.errors import PlaybookError
from runner.playbook.lint import check_playbook
from runner.playbook.loader import load_text
from runner.playbook.model import build_playbook
from runner.playbook.origins import command_line_layer
from runner.playbook.scope import MAX_DEPTH

STEP = "steps:\n  - name: s\n    request: {path: \"/services/data/{{ used }}\"}\n"


def check(variables: str, extra: dict[str, object] | None = None) -> list[str]:
    playbook = build_playbook(load_text(f"name: v\nvars:\n{variables}{STEP}", "v.yml"))
    notices = check_playbook(playbook, extra_vars=command_line_layer(extra or {}))
    return [notice.message for notice in notices]


def test_an_unused_variable_may_read_an_undefined_name() -> None:
    assert check("  used: v60.0\n  spare: '{{ nowhere }}'\n") == []


def test_a_used_variable_that_reads_an_undefined_name_is_an_error_at_its_line() -> None:
    with pytest.raises(PlaybookError) as caught:
        check("  used: '{{ base }}'\n  base: '{{ bsae_url }}'\n  base_url: x\n")
    assert str(caught.value) == ("v.yml:4:3: base: undefined variable 'bsae_url'; "
                                 "did you mean 'base_url'?")


def test_an_extra_var_may_complete_a_chain() -> None:
    assert check("  used: '{{ base }}-x'\n", extra={"base": "{{ api }}", "api": "v60.0"}) == []


def test_a_cycle_through_vars_dot_name_is_found() -> None:
    with pytest.raises(PlaybookError, match=r"^v.yml:3:3: variables form a cycle: "
                                            r"used \(v.yml:3:3\) → other \(v.yml:4:3\) → used$"):
        check("  used: '{{ vars.other }}'\n  other: \"{{ vars['used'] }}\"\n")


def test_a_chain_deeper_than_the_run_allows_is_refused_without_a_deep_walk() -> None:
    chain = "".join(f"  v{n}: '{{{{ v{n + 1} }}}}'\n" for n in range(5000))
    with pytest.raises(PlaybookError, match=f"nest deeper than {MAX_DEPTH} levels"):
        check(f"  used: '{{{{ v0 }}}}'\n{chain}  v5000: end\n")
