"""Recipes as a team first writes them, run from another folder: what reaches the org and what
a person reads when an include loops with an index, a later step reads a file an earlier one
saved, a filter is misspelled, a loop item's name is long, or a CSV has no rows.
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.cells import cell_len

from tests.conftest import run_cli
from tests.e2e.org_records import standalone_org
from tests.e2e.test_data_files import orgs_block, project

ROW_STEPS = """\
- name: "Create {{ row.Name }}"
  request:
    method: POST
    path: /services/data/v60.0/sobjects/Account
    json_file: account.json
  expect: {status: 201}
- name: "Row {{ n }} is {{ row.Name }}"
  debug: {msg: "row {{ n }} of the CSV"}
"""


def test_an_included_step_file_sees_the_loop_index_var(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        recipes = project(tmp_path, {
            "data/rows.csv": "Name,Number\r\nÄcme Ünïcode,A-1\r\nGlobex,G-2\r\n",
            "files/account.json": '{"Name": "{{ row.Name }}", "AccountNumber": "{{ row.Number }}",'
                                  ' "Description": "row {{ n }}"}\n',
            "steps/per_row.yml": ROW_STEPS,
            "rows.yml": (
                "name: One account per row\n" + orgs_block(org) +
                "steps:\n"
                "  - include_steps: steps/per_row.yml\n"
                "    loop: \"{{ lookup('file', 'data/rows.csv') | from_csv }}\"\n"
                "    loop_control: {loop_var: row, index_var: n}\n"),
        })
        run = run_cli(str(recipes / "rows.yml"), "-v", cwd=tmp_path.parent)
        records = org.records("Account", "Name", "AccountNumber", "Description")
    assert run.status == 0, run.output
    assert records == [("Äcme Ünïcode", "A-1", "row 0"), ("Globex", "G-2", "row 1")]
    assert "Row 1 is Globex" in run.stdout and "row 1 of the CSV" in run.stdout


def test_a_later_step_looks_up_the_file_an_earlier_step_saved(tmp_path: Path) -> None:
    recipes = project(tmp_path, {"saved.yml": (
        "name: Save then read\n"
        "steps:\n"
        "  - name: Find Edge\n"
        "    query: SELECT Name FROM Account WHERE Name = 'Edge Communications'\n"
        "    save: out/edge.json\n"
        "  - name: Read what was saved\n"
        "    debug:\n"
        "      msg: \"saved {{ (lookup('file', 'out/edge.json') | from_json).records[0].Name }}\"\n"
        "  - name: Send it back as a body\n"
        "    request: {method: POST, path: /services/data/v60.0/sobjects/Account,"
        " json_file: out/edge.json}\n"
        "    expect: {status: 400, json: {'[0].message': {contains: totalSize}}}\n"),
    })
    run = run_cli(str(recipes / "saved.yml"), "-v", cwd=tmp_path)
    assert run.status == 0, run.output
    assert "saved Edge Communications" in run.stdout
    assert json.loads((recipes / "out" / "edge.json").read_text())["totalSize"] == 1


def test_a_lookup_before_the_step_that_saves_its_file_is_still_refused(tmp_path: Path) -> None:
    recipes = project(tmp_path, {"early.yml": (
        "name: Read too early\n"
        "steps:\n"
        "  - name: Read\n"
        "    debug: {msg: \"{{ lookup('file', 'out/edge.json') }}\"}\n"
        "  - name: Save\n"
        "    request: {path: /services/data/}\n"
        "    save: out/edge.json\n"),
    })
    run = run_cli(str(recipes / "early.yml"), cwd=tmp_path)
    assert run.status == 4, run.output
    assert "early.yml:4:18: lookup('file'): 'out/edge.json': no such file" in run.stderr


def test_an_unknown_filter_is_an_invalid_playbook_at_its_place(tmp_path: Path) -> None:
    recipes = project(tmp_path, {"typo.yml": (
        "name: Filter typo\n"
        "steps:\n"
        "  - name: Names\n"
        "    debug: {msg: \"{{ [1, 2] | lenght }}\"}\n"),
        "test.yml": (
            "name: Test typo\n"
            "steps:\n"
            "  - name: Names\n"
            "    debug: {msg: x}\n"
            "    when: \"'x' is sucess\"\n"),
    })
    for args in ([], ["--syntax-check"], ["-C"]):
        run = run_cli(str(recipes / "typo.yml"), *args, cwd=tmp_path)
        assert run.status == 4, run.output
        assert "internal error" not in run.output
        assert ("typo.yml:4:18: template error: no filter named 'lenght'; "
                "did you mean 'length'?") in run.stderr
    run = run_cli(str(recipes / "test.yml"), cwd=tmp_path)
    assert run.status == 4, run.output
    assert ("test.yml:5:11: template error: no test named 'sucess'; "
            "did you mean 'success'?") in run.stderr


def test_a_condition_written_as_a_template_is_refused_with_the_ansible_way(
    tmp_path: Path,
) -> None:
    """Ansible users write ``until: "{{ … }}"``; a condition is a bare expression (T-7),
    and Jinja2's own words for the braces (expected token ':') do not say so."""
    recipes = project(tmp_path, {"poll.yml": (
        "name: Poll\n"
        "steps:\n"
        "  - name: Wait\n"
        "    debug: {msg: waiting}\n"
        "    register: job\n"
        "    until: \"{{ job.msg == 'done' }}\"\n"
        "    retries: 3\n")})
    for args in ([], ["--syntax-check"]):
        run = run_cli(str(recipes / "poll.yml"), *args, cwd=tmp_path)
        assert run.status == 4, run.output
        assert ("poll.yml:6:12: template syntax error: this is a bare expression, as in "
                "Ansible: write it without {{ }} or {% %}") in run.stderr
        assert "expected token" not in run.output


def test_a_failed_loop_item_is_named_in_full(tmp_path: Path) -> None:
    recipes = project(tmp_path, {"long.yml": (
        "name: Long names\n"
        "steps:\n"
        "  - name: \"Create {{ item }}\"\n"
        "    request: {method: POST, path: /services/data/v60.0/sobjects/Account,"
        " json: {Nmae: \"{{ item }}\"}}\n"
        "    loop: [Burlington Textiles Corp of America, Burlington Textiles Corp of Asia]\n"),
    })
    run = run_cli(str(recipes / "long.yml"), cwd=tmp_path)
    assert run.status == 2, run.output
    assert "failed  Create Burlington Textiles Corp of America  embedded" in run.stdout
    assert "failed  Create Burlington Textiles Corp of Asia  embedded" in run.stdout


def test_an_include_over_a_csv_without_rows_is_skipped_with_its_steps(tmp_path: Path) -> None:
    recipes = project(tmp_path, {
        "data/none.csv": "\ufeffName,Number\n",
        "steps/per_row.yml": ROW_STEPS.replace("json_file: account.json", "json: {Name: x}"),
        "empty.yml": (
            "name: No rows\n"
            "steps:\n"
            "  - include_steps: steps/per_row.yml\n"
            "    loop: \"{{ lookup('file', 'data/none.csv') | from_csv }}\"\n"
            "    loop_control: {loop_var: row, index_var: n}\n"),
    })
    run = run_cli(str(recipes / "empty.yml"), "-v", "--json", "r.json", cwd=tmp_path)
    assert run.status == 0, run.output
    assert "skipped   include_steps steps/per_row.yml" in run.stdout
    assert "the loop has no items" in run.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    steps = report["playbooks"][0]["orgs"][0]["steps"]
    assert [(step["name"], step["outcome"]) for step in steps] == [
        ("include_steps steps/per_row.yml", "skipped"), ("Create {{ row.Name }}", "skipped"),
        ("Row {{ n }} is {{ row.Name }}", "skipped")]


NOTE_STEP = """\
name: Notes
steps:
  - name: "Note for {{ row.Name }}"
    request:
      method: POST
      path: /services/data/v60.0/sobjects/Account
      body_file: note.txt
    loop: [{Name: Acme}]
    loop_control: {loop_var: row}
"""


def test_a_body_file_template_error_names_the_body_files_line(tmp_path: Path) -> None:
    recipes = project(tmp_path, {
        "files/note.txt": "Dear team,\nrow {{ row.Name }} of {{ row.Region }}\n",
        "files/broken.txt": "Dear team,\nrow {{ row.Name }\n",
        "notes.yml": NOTE_STEP,
        "broken.yml": NOTE_STEP.replace("note.txt", "broken.txt"),
    })
    run = run_cli("notes.yml", cwd=recipes)
    assert run.status == 2, run.output
    assert ("✗ notes.yml:7:18 (request.body_file): files/note.txt:2:5: undefined variable: "
            "'row' has no key 'Region' (it has: Name)") in run.stdout
    run = run_cli("broken.yml", cwd=recipes)
    assert run.status == 4, run.output
    assert run.stderr.splitlines()[:3] == [
        "files/broken.txt:2:5: template syntax error: unexpected '}' "
        "(from body_file broken.txt at broken.yml:7:7)",
        "    2 | row {{ row.Name }",
        "      |     ^"]


def test_step_lines_stay_in_columns_with_wide_characters(tmp_path: Path) -> None:
    recipes = project(tmp_path, {"wide.yml": (
        "name: Prüfung 検証\n"
        "steps:\n"
        "  - {name: \"Konten 検証検証\", debug: {msg: x}}\n"
        "  - {name: plain, debug: {msg: x}}\n"),
    })
    run = run_cli(str(recipes / "wide.yml"), cwd=tmp_path)
    assert run.status == 0, run.output
    lines = [line for line in run.stdout.splitlines() if line.startswith("  ok ")]
    assert len(lines) == 3
    # where the org column starts, in terminal columns (a CJK character takes two)
    assert len({cell_len(line[:line.index(" embedded")]) for line in lines}) == 1, lines


def test_an_include_picks_its_file_and_its_when_for_each_loop_item(tmp_path: Path) -> None:
    with standalone_org(tmp_path) as org:
        recipes = project(tmp_path, {
            "data/rows.csv": "Kind,Name\ncustomer,Acme\npartner,Globex\nskip,Initech\n",
            "kinds/customer.yml": (
                "- name: \"Customer {{ row.Name }}\"\n"
                "  request: {method: POST, path: /services/data/v60.0/sobjects/Account,"
                " json: {Name: \"{{ row.Name }}\", Type: Customer}}\n"),
            "kinds/partner.yml": (
                "- name: \"Partner {{ row.Name }}\"\n"
                "  request: {method: POST, path: /services/data/v60.0/sobjects/Account,"
                " json: {Name: \"{{ row.Name }}\", Type: Partner}}\n"),
            "kinds.yml": (
                "name: One file per kind\n" + orgs_block(org) +
                "steps:\n"
                "  - include_steps: \"kinds/{{ row.Kind }}.yml\"\n"
                "    loop: \"{{ lookup('file', 'data/rows.csv') | from_csv }}\"\n"
                "    loop_control: {loop_var: row}\n"
                "    when: row.Kind != 'skip'\n"),
        })
        run = run_cli(str(recipes / "kinds.yml"), cwd=tmp_path)
        records = org.records("Account", "Name", "Type")
    assert run.status == 0, run.output
    assert records == [("Acme", "Customer"), ("Globex", "Partner")]
    assert "changed   Customer Acme" in run.stdout and "changed   Partner Globex" in run.stdout


def test_a_run_does_not_start_inside_an_include(tmp_path: Path) -> None:
    recipes = project(tmp_path, {
        "steps/per_row.yml": ROW_STEPS.replace("json_file: account.json", "json: {Name: x}"),
        "start.yml": (
            "name: Start somewhere\n"
            "steps:\n"
            "  - include_steps: steps/per_row.yml\n"
            "    loop: [{Name: Acme}]\n"
            "    loop_control: {loop_var: row, index_var: n}\n"
            "  - name: After\n"
            "    debug: {msg: after}\n"),
    })
    run = run_cli(str(recipes / "start.yml"), "--start-at-step", "Row {{ n }} is {{ row.Name }}",
                  cwd=tmp_path)
    assert run.status == 5, run.output
    assert ("--start-at-step: 'Row {{ n }} is {{ row.Name }}' is a step of "
            "'include_steps steps/per_row.yml'; a run cannot start inside an include"
            ) in run.stderr
    run = run_cli(str(recipes / "start.yml"), "--start-at-step", "After", cwd=tmp_path)
    assert run.status == 0, run.output
    assert "ok        After" in run.stdout and "include_steps" not in run.stdout


def test_the_last_line_names_a_failed_playbook_as_the_recap_does(tmp_path: Path) -> None:
    steps = "steps:\n  - {name: v, request: {path: /services/data/v60.0/sobjects/Account/%s}}\n"
    recipes = project(tmp_path, {
        "acme/health.yml": "name: Acme health\n" + steps % "",
        "globex/health.yml": "name: Globex health\n" + steps % "001000000000000AAA",
    })
    run = run_cli(str(recipes), "--glob", "**/*.yml", cwd=tmp_path)
    assert run.status == 2, run.output
    assert "globex/health.yml  embedded" in run.stdout
    assert run.stdout.splitlines()[-1].startswith(
        "FAILED: 2 playbooks, 1 did not pass (globex/health.yml) in ")


def test_a_lookup_told_to_ignore_a_missing_file_runs(tmp_path: Path) -> None:
    recipes = project(tmp_path, {"optional.yml": (
        "name: Optional data\n"
        "steps:\n"
        "  - name: Read what is there\n"
        "    debug: {msg: \"[{{ lookup('file', 'local.txt', errors='ignore') }}]\"}\n"
        "  - name: Or nothing\n"
        "    debug: {msg: \"{{ query('file', 'local.txt', errors='warn') | length }} files\"}\n"),
    })
    run = run_cli(str(recipes / "optional.yml"), "-v", cwd=tmp_path)
    assert run.status == 0, run.output
    assert "             []" in run.stdout and "0 files" in run.stdout
    (recipes / "local.txt").write_text("from this machine\n")
    run = run_cli(str(recipes / "optional.yml"), "-v", cwd=tmp_path)
    assert "[from this machine]" in run.stdout and "1 files" in run.stdout


def test_a_wide_matrix_is_written_whole_in_a_log(tmp_path: Path) -> None:
    steps = "".join(f"  - {{name: step {n}, debug: {{msg: x}}}}\n" for n in range(1, 15))
    recipes = project(tmp_path, {"wide.yml": (
        "name: Many steps\norgs:\n  one: {emulator: true}\n  two: {emulator: true}\n"
        "steps:\n" + steps)})
    run = run_cli(str(recipes / "wide.yml"), cwd=tmp_path, env={"COLUMNS": "80"})
    assert run.status == 0, run.output
    rows = [line for line in run.stdout.splitlines()
            if line.startswith(("one ", "two ")) and "✓" in line]
    assert len(rows) == 2, run.stdout
    for row in rows:  # the login and 14 steps, each with its time, none cut to 80 columns
        assert row.count("✓") == 15 and row.count(" ms") == 14 and "…" not in row, row
