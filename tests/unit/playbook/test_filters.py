"""from_json, from_yaml and from_csv turn text into data, as Ansible's filters do."""

from __future__ import annotations

import pytest

from runner.playbook.filters import FilterError, from_csv, from_json, from_yaml
from runner.playbook.templating import TemplateRenderError, render_string


def test_csv_rows_become_mappings_of_strings() -> None:
    text = '\ufeffName,Id,Employees\n"Acme, Inc",001,20\nShort\n\nGlobex,002,5,extra\n'
    assert from_csv(text) == [
        {"Name": "Acme, Inc", "Id": "001", "Employees": "20"},
        {"Name": "Short", "Id": None, "Employees": None},
        {"Name": "Globex", "Id": "002", "Employees": "5", None: ["extra"]},
    ]


def test_csv_options() -> None:
    assert from_csv("a;b\n1;2\n", delimiter=";") == [{"a": "1", "b": "2"}]
    assert from_csv("1,2\n", fieldnames=["x", "y"]) == [{"x": "1", "y": "2"}]
    assert from_csv("a\tb\n1\t2\n", dialect="excel-tab") == [{"a": "1", "b": "2"}]
    assert from_csv("a, b\n1, 2\n", skipinitialspace=True) == [{"a": "1", "b": "2"}]
    with pytest.raises(FilterError, match="unknown dialect 'excell'"):
        from_csv("a\n", dialect="excell")
    with pytest.raises(FilterError, match="from_csv expects text, got int"):
        from_csv(3)


def test_json_and_yaml() -> None:
    assert from_json('{"a": [1, 2]}') == {"a": [1, 2]}
    with pytest.raises(FilterError, match="not valid JSON at line 1, column 2"):
        from_json("{oops}")
    assert from_yaml("a: [1, {b: yes}]") == {"a": [1, {"b": "yes"}]}  # YAML 1.2 booleans
    assert from_yaml({"already": "data"}) == {"already": "data"}
    assert from_yaml("") is None
    with pytest.raises(FilterError, match="unsupported YAML tag"):
        from_yaml("!!python/object:os.system {}")


def test_the_filters_work_in_templates() -> None:
    rows = render_string("{{ text | from_csv }}", {"text": "Name\nAcme\n"})
    assert rows == [{"Name": "Acme"}]
    with pytest.raises(TemplateRenderError, match=r"^from_json: not valid JSON"):
        render_string("{{ '{' | from_json }}", {})
