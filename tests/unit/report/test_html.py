"""The HTML page from results: every outcome has its place, names are text, secrets masked."""

from __future__ import annotations

from html.parser import HTMLParser

from runner.report import html
from runner.run import results
from runner.run.results import Kind, Outcome, RunResult, StepResult
from runner.secrets import register
from tests.unit.report.fixtures import SECRET_TOKEN, invocation, sample_run, step


class _Page(HTMLParser):
    """Elements by class, with their text, and every id."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.classes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        self.classes.append(f"{tag}.{found.get('class') or ''}")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page(run: RunResult, *more: RunResult) -> tuple[str, _Page]:
    text = html.render(invocation(run, *more))
    page = _Page()
    page.feed(text)
    return text, page


def _with_a_key_and_a_loop() -> RunResult:
    run = sample_run()
    failed = results.CheckResult("status", "status", "equals", "2xx", 404, False, "NOT_FOUND")
    items = (
        StepResult(Kind.ITEM, 2, "each", "alpha", Outcome.OK, 2.0, item="Account"),
        StepResult(Kind.ITEM, 2, "each", "alpha", Outcome.FAILED, 3.0, checks=(failed,),
                   item="<Nothing>"),
    )
    run.orgs[0].steps.append(step(2, "<script>alert('each')</script>", "alpha", Outcome.FAILED,
                                  5.0, items=items, started_ms=40.0))
    run.keys = [StepResult(Kind.KEY, -1, "key main", "", Outcome.CHANGED, 30.0,
                           started_ms=0.0)]
    return run


def test_failures_are_sections_the_matrix_links_to() -> None:
    text, page = _page(_with_a_key_and_a_loop())
    failures = [i for i in page.ids if i.startswith("failure-")]
    assert failures == ["failure-1-alpha-step-2", "failure-1-beta-step-1", "failure-1-gamma-login"]
    for anchor in failures:
        assert f'href="#{anchor}"' in text
    words = "".join(page.text)
    assert "hint: check the consumer key" in words  # the unreachable org's login
    assert "<Nothing>" in words and "NOT_FOUND" in words  # the failed loop item, as text
    assert "key main" in words and "✓ changed" in words


def test_names_are_text_never_markup() -> None:
    text, page = _page(_with_a_key_and_a_loop())
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&#39;each&#39;)&lt;/script&gt;" in text
    assert sum(cls.startswith("script.") for cls in page.classes) == 1  # the page's own


def test_every_org_has_a_matrix_row_and_a_lane_and_secrets_are_masked() -> None:
    register(SECRET_TOKEN)
    text, page = _page(sample_run())
    assert SECRET_TOKEN not in text and "***" in text
    assert page.classes.count("tr.failing") == 2 * 2  # beta and gamma: recap and matrix
    assert page.classes.count("div.lane failing") == 2
    assert page.classes.count("div.lane passing") == 1
    assert page.classes.count("td.cell failed") == 2  # beta's step, gamma's login
    assert page.classes.count("td.cell skipped") == 2


def test_several_playbooks_are_one_page() -> None:
    other = sample_run()
    other.playbook, other.name = "playbooks/y.yml", "Another"
    _, page = _page(sample_run(), other)
    assert [i for i in page.ids if i.startswith("playbook-")] == ["playbook-1", "playbook-2"]
    assert "failure-2-beta-step-1" in page.ids


def test_a_lane_places_results_by_when_they_started() -> None:
    run = sample_run()
    org = run.orgs[0]
    org.login = StepResult(Kind.LOGIN, 0, "log in", "alpha", Outcome.OK, 10.0, started_ms=100.0)
    org.steps = [step(0, "versions", "alpha", Outcome.OK, 30.0, started_ms=110.0),
                 step(1, "create", "alpha", Outcome.CHANGED, 60.0, started_ms=140.0)]
    run.orgs = [org]
    text, _ = _page(run)
    lane = text.split('class="lane passing"')[1].split("</section>")[0]
    assert "left: min(0.000%" in lane and "width: 10.000%" in lane  # 100 → 110 of 100 → 200
    assert "left: min(10.000%" in lane and "width: 30.000%" in lane
    assert "left: min(40.000%" in lane and "width: 60.000%" in lane
    assert "create: changed, 140 ms → 200 ms (60 ms)" in lane
