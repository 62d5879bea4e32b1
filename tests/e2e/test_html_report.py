"""The HTML report of the example health run, read in a real browser.

Headless Chromium from the OS packages (``/usr/bin/chromium``), driven by Playwright's
Python API: the page loads nothing but itself, shows the orgs × steps matrix coloured
by outcome, a lane per org on the timeline and the failure laid open with its checks,
curl line and response; its filter works and it prints. Without Chromium the browser
tests are skipped (``scripts/install-test-browser.sh`` installs it where it can); the
page's self-containment is checked without a browser too.

``pytest --update-golden`` also rewrites the committed screenshot,
``tests/e2e/screenshots/health-report.png``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from runner.report.html import anchor
from tests.conftest import REPO, run_cli, single_run

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = REPO / "tests" / "e2e" / "screenshots" / "health-report.png"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def health(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``sfjwt-run -i playbooks/inventory.example.yml playbooks/health.yml --html …``."""
    folder = tmp_path_factory.mktemp("html")
    run = run_cli("-i", "playbooks/inventory.example.yml", "playbooks/health.yml",
                  "--html", str(folder / "health.html"), "--json", str(folder / "r.json"),
                  cwd=REPO)
    assert run.status == 2, run.output
    return folder


class _Resources(HTMLParser):
    """Every attribute that could make a browser fetch something, and every tag."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("href", "src", "srcset", "action", "poster", "data", "background"):
                self.links.append((tag, name, value or ""))


def test_the_page_is_self_contained(health: Path) -> None:
    text = (health / "health.html").read_text(encoding="utf-8")
    page = _Resources()
    page.feed(text)
    assert {"style", "script"} <= page.tags and not {"link", "img", "iframe"} & page.tags
    assert page.links and all(value.startswith("#") for _, _, value in page.links), page.links
    style = text.split("<style>")[1].split("</style>")[0]
    assert "url(" not in style and "@import" not in style
    assert "<script src" not in text


def test_every_failure_of_the_json_report_has_its_section(health: Path) -> None:
    text = (health / "health.html").read_text(encoding="utf-8")
    run = single_run(health / "r.json")
    failed = [(org["name"], step) for org in run["orgs"] for step in org["steps"]
              if step["outcome"] == "failed"]
    assert [name for name, _ in failed] == ["globex-prod"]
    for org, step in failed:
        assert f'id="{anchor(1, org, step)}"' in text
        assert f'href="#{anchor(1, org, step)}"' in text
        assert f"{step['position']['file']}:{step['position']['line']}" in text


browser = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")


requested: list[str] = []


@pytest.fixture(scope="module")
def page(health: Path) -> Iterator[Any]:
    """The page open in headless Chromium; every URL it asks for is kept in ``requested``."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (scripts/install-test-browser.sh installs it)")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            tab = chromium.new_page(viewport={"width": 1280, "height": 900})
            tab.on("request", lambda request: requested.append(request.url))
            tab.goto((health / "health.html").as_uri())
            yield tab
        finally:
            chromium.close()


@browser
def test_the_browser_loads_nothing_but_the_page(page: Any, health: Path) -> None:
    assert page.evaluate("document.readyState") == "complete"
    assert requested == [(health / "health.html").as_uri()]


@browser
def test_the_matrix_is_coloured_by_outcome_failing_orgs_first(page: Any) -> None:
    rows = page.locator("table.matrix tbody tr")
    assert [rows.nth(n).get_attribute("data-org") for n in range(rows.count())] == [
        "globex-prod", "acme-prod", "acme-uat"]
    globex = rows.nth(0).locator("td.cell")
    assert globex.count() == 8  # the login and seven steps
    classes = [globex.nth(n).get_attribute("class") for n in range(8)]
    assert classes[4] == "cell failed" and classes.count("cell ok") == 7
    assert page.locator("table.matrix td.cell.failed").count() == 1
    failed = globex.nth(4)
    assert failed.inner_text().startswith("✗ ") and failed.inner_text().endswith(" ms")
    colour = failed.evaluate("cell => getComputedStyle(cell).backgroundColor")
    ok = globex.nth(0).evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert colour == "rgb(255, 235, 233)" and ok == "rgb(218, 251, 225)"


@browser
def test_each_lane_shows_when_its_login_and_steps_ran(page: Any) -> None:
    lanes = page.locator("div.timeline div.lane")
    assert lanes.count() == 3
    for n in range(3):
        bars = lanes.nth(n).locator("div.bar")
        assert bars.count() == 8
        boxes = [bars.nth(b).bounding_box() for b in range(8)]
        track = lanes.nth(n).locator("div.track").bounding_box()
        assert all(track["x"] - 1 <= box["x"] and box["x"] + box["width"] <= track["x"]
                   + track["width"] + 1 for box in boxes)
        assert [box["x"] for box in boxes] == sorted(box["x"] for box in boxes)  # in order
    assert "log in: ok" in lanes.nth(0).locator("div.bar").first.get_attribute("title")


@browser
def test_the_failure_is_laid_open_with_checks_request_and_response(page: Any) -> None:
    link = page.locator("table.matrix td.cell.failed a")
    section = page.locator(link.get_attribute("href"))
    assert section.get_attribute("open") is not None and section.is_visible()
    assert "globex-prod: Integration user can read Accounts" in section.locator(
        "summary").inner_text()
    checks = section.locator("table.checks tbody tr")
    assert checks.count() >= 2
    assert checks.nth(0).inner_text().split("\t")[:5] == ["✗", "status", "equals", "200", "404"]
    assert section.locator("pre.curl").inner_text().endswith(
        '-H "Authorization: Bearer $SF_ACCESS_TOKEN"')
    assert "NOT_FOUND" in section.locator("pre.response").inner_text()


@browser
def test_the_filter_shows_failing_orgs_only_and_the_page_prints(page: Any,
                                                                tmp_path: Path) -> None:
    page.locator("#failing-only").check()
    visible = page.locator("table.matrix tbody tr:visible")
    assert [visible.nth(n).get_attribute("data-org") for n in range(visible.count())] == [
        "globex-prod"]
    page.locator("#failing-only").uncheck()
    page.emulate_media(media="print")
    assert page.locator("label.filter").is_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")


@browser
def test_a_screenshot_of_the_page(page: Any, tmp_path: Path, update_golden: bool) -> None:
    shot = tmp_path / "health-report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000
    if update_golden:
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG")
