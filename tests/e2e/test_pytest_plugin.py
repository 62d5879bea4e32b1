"""The pytest plugin as a user's pytest runs it: playbooks as items, and the sfjwt_org fixture.

Each test builds a small project with ``pytester`` and runs pytest on it in a
process of its own, the plugin loaded through its ``pytest11`` entry point as an
installed sfjwt-run provides it.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow

PASSING = """\
name: Accounts are readable
steps:
  - name: API versions are listed
    request: {path: /services/data/}
    tags: [smoke]
  - name: Find an account
    query: SELECT Id, Name FROM Account LIMIT 1
    expect: {json: {totalSize: 1}}
"""
FAILING = """\
name: Limits are generous
steps:
  - name: API headroom
    request: {path: /services/data/v60.0/limits}
    expect:
      json:
        DailyApiRequests.Max: {gte: 99999999}
    tags: [limits, nightly-only]
"""


def test_playbooks_are_items_whose_failures_read_as_the_console_prints_them(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".sfjwt.yml", test_accounts=PASSING, test_limits=FAILING,
                      other=PASSING)  # not test_*: not collected
    report = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider", f"--junitxml={report}")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*test_accounts.sfjwt.yml::Accounts are readable PASSED*",
        "*test_limits.sfjwt.yml::Limits are generous FAILED*",
    ])
    result.stdout.fnmatch_lines([
        "*PLAY Limits are generous  (*test_limits.sfjwt.yml)",
        "*failed    API headroom*",
        "*✗ json DailyApiRequests.Max: gte 99999999, got 15000",
        "sfjwt-run exited 2",
    ])
    failures = result.stdout.str().split("short test summary info")[0]  # (whole under CI=true)
    assert failures.count("failed    API headroom") == 1  # shown once, not twice
    # the failure starts with what failed, and so does pytest's one-line summary
    assert "API headroom (embedded) failed — ✗ json DailyApiRequests.Max: gte 99999999, " \
           "got 15000\n\nPLAY Limits are generous" in failures
    result.stdout.fnmatch_lines(["FAILED *test_limits.sfjwt.yml::Limits are generous - "
                                 "API headroom (embedded)*"])
    junit = report.read_text()
    report.unlink()  # pytest's own dialect of JUnit: the checks of sfjwt-run's reports do not apply
    assert 'name="Accounts are readable"' in junit and 'name="Limits are generous"' in junit
    assert "DailyApiRequests.Max: gte 99999999, got 15000" in junit


def test_tags_are_markers_and_k_matches_names(pytester: pytest.Pytester) -> None:
    pytester.makefile(".sfjwt.yml", test_accounts=PASSING, test_limits=FAILING)
    pytester.makeini("[pytest]\naddopts = --strict-markers\n")
    smoke = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-m", "smoke")
    smoke.assert_outcomes(passed=1, deselected=1)
    nightly = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-m", "nightly_only", "-q")
    nightly.assert_outcomes(failed=1, deselected=1)
    named = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "readable", "-q")
    named.assert_outcomes(passed=1, deselected=1)


def test_a_playbook_that_does_not_load_is_a_collection_error_at_its_line(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".sfjwt.yml", test_typo=PASSING.replace("query:", "qeury:"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*test_typo.sfjwt.yml:7:5: steps[[]1]: unknown key 'qeury'; did you mean 'query'?",
    ])


def test_the_glob_and_the_arguments_come_from_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makefile(".recipe.yml", accounts=PASSING.replace(
        "LIMIT 1", "WHERE Name = '{{ wanted }}' LIMIT 1"))
    pytester.makeini("[pytest]\nsfjwt_files = *.recipe.yml\n"
                     "sfjwt_args = -e \"wanted='Nobody at all'\"\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*✗ json totalSize: equals 1, got 0"])


USER_TEST = """\
import pytest
import requests
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from simple_salesforce import Salesforce


@pytest.mark.sfjwt_org(username="ci.user@example.com", sample_data=False)
def test_my_integration_creates_an_account(sfjwt_org):
    assert sfjwt_org.username == "ci.user@example.com"
    assert load_pem_private_key(sfjwt_org.key_path.read_bytes(), None).key_size >= 2048
    sf = Salesforce(instance_url=sfjwt_org.instance_url, session_id=sfjwt_org.access_token(),
                    version="60.0")
    made = sf.Account.create({"Name": "Made by my integration"})
    found = sf.query("SELECT Name FROM Account")
    assert [r["Name"] for r in found["records"]] == ["Made by my integration"]
    assert sf.Account.get(made["id"])["Name"] == "Made by my integration"


def test_a_config_file_with_two_orgs(sfjwt_org):
    token = sfjwt_org.access_token()
    answer = requests.get(sfjwt_org.instance_url + "/services/data/v60.0/limits",
                          headers={"Authorization": "Bearer " + token}, timeout=10)
    assert sfjwt_org.name == "first"
    assert answer.json()["DailyApiRequests"]["Max"] == 1234
"""


def test_the_sfjwt_org_fixture_serves_an_org_a_simple_salesforce_client_uses(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_integration=USER_TEST)
    pytester.makefile(".yml", orgs="orgs:\n  - {name: first, daily_api_limit: 1234}\n"
                                   "  - {name: second}\n")
    alone = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "creates_an_account")
    alone.assert_outcomes(passed=1)
    pytester.makeini("[pytest]\nsfjwt_org_config = orgs.yml\n")
    configured = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "two_orgs")
    configured.assert_outcomes(passed=1)


def test_the_paths_of_sfjwt_args_are_relative_to_the_ini_file(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytester.makeini("[pytest]\nsfjwt_files = *.sfjwt.yml\n"
                     "sfjwt_args = -i ci/orgs.yml -e @ci/vars.yml\n")
    (pytester.path / "ci").mkdir()
    (pytester.path / "ci" / "orgs.yml").write_text("orgs:\n  ci-org: {emulator: true}\n")
    (pytester.path / "ci" / "vars.yml").write_text("who: the ci job\n")
    recipes = pytester.mkdir("recipes")
    (recipes / "who.sfjwt.yml").write_text(
        "name: Who runs\nsteps:\n"
        "  - {name: Who, debug: {msg: \"run by {{ who }} on {{ org.name }}\"}}\n")
    for folder in (pytester.path, recipes):  # from the ini file's folder, and from below it
        monkeypatch.chdir(folder)
        result = pytester.runpytest_subprocess("-rP", "-p", "no:cacheprovider")
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines(["*run by the ci job on ci-org*"])
