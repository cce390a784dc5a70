"""Browser-test fixtures: a live server on its own seeded database, Chromium through Playwright,
sign-in through the real form, and checks that every page visited must pass.

Use them like this::

    pytestmark = pytest.mark.browser

    def test_something(signed_in_page):
        page = signed_in_page("tom.williams@northfield.example")  # lands on / (checked)
        visit(page, "/team")     # navigates, asserts the status, then check_page()
        with page.expect_navigation():
            page.get_by_role("link", name="Sam Taylor").click()
        check_page(page)         # after any navigation the test causes itself

``check_page`` = ``check_a11y`` (axe-core, WCAG 2.2 A and AA) + ``check_reflow`` (no sideways
scrolling at 320 CSS px; tables scroll inside their ``.table-wrap``). Every document a page
loads must be checked: the ``new_page``/``page`` fixtures fail the test at teardown naming any
page that was not, and any Content-Security-Policy violation (inline script or style), uncaught
script error or static file that failed to load. The live server always uses a fresh SQLite
file of its own, whatever database the rest of the suite runs on; ``live_server.reset()`` puts
it back as seeded.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask

from clearance.extensions import db, limiter
from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DEMO_PASSWORD = "clearance-demo"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NARROW = {"width": 320, "height": 720}
WIDE = {"width": 1280, "height": 900}


def browser_unavailable(reason: str) -> None:
    """Skip, or fail when ``CLEARANCE_REQUIRE_BROWSER=1`` says browser tests must run."""
    if os.environ.get("CLEARANCE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required (CLEARANCE_REQUIRE_BROWSER=1) but {reason}",
                    pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


# ---------------------------------------------------------------- the live server


@dataclass
class LiveServer:
    """The app serving on a real port in a background thread, on its own seeded database."""

    app: Flask
    url: str
    db_file: Path
    snapshot: Path
    _server: Any = field(repr=False, default=None)

    def __call__(self, path: str = "/") -> str:
        """An absolute URL for ``path``."""
        return urljoin(self.url + "/", path.lstrip("/"))

    def reset(self) -> None:
        """Put the database back as it was right after the demo seed."""
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        _copy_sqlite(self.snapshot, self.db_file)
        limiter.reset()
        _SESSIONS.clear()


def _copy_sqlite(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    root = tmp_path_factory.mktemp("e2e")
    db_file = root / "live.db"
    app = make_app(root, f"sqlite:///{db_file}", JOBS_BACKEND="immediate")
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    snapshot = root / "seeded.db"
    _copy_sqlite(db_file, snapshot)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    live = LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}", db_file=db_file,
                      snapshot=snapshot, _server=server)
    app.config["BASE_URL"] = live.url  # links in e-mails lead back to this server
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("the playwright package is not installed (pip install -e '.[test]')")
    try:
        _axe_source()
    except ImportError:
        browser_unavailable("axe-playwright-python (axe-core) is not installed "
                            "(pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        browser_unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                          headless=True, timeout=30_000)
        except PlaywrightError as exc:
            browser_unavailable(f"Chromium at {CHROMIUM} did not start: {exc}")
        try:
            yield chromium
        finally:
            chromium.close()


class PageWatch:
    """Watches one page: the documents it loaded and whether axe checked each, and problems
    the browser reports: Content-Security-Policy violations (inline script or style),
    uncaught script errors, and static files that failed to load."""

    def __init__(self) -> None:
        self.loaded: list[str] = []
        self.checked: set[int] = set()
        self.problems: list[str] = []

    def on_load(self, page: Any) -> None:
        self.loaded.append(page.url)

    def on_console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"CSP: {message.text[:200]}")

    def on_page_error(self, error: Any) -> None:
        self.problems.append(f"script error: {error}")

    def on_response(self, response: Any) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.problems.append(f"{response.status} for {response.url}")

    def mark_checked(self) -> None:
        if self.loaded:
            self.checked.add(len(self.loaded) - 1)

    def unchecked(self) -> list[str]:
        return [url for i, url in enumerate(self.loaded) if i not in self.checked]

    def take_problems(self) -> list[str]:
        problems, self.problems = self.problems, []
        return problems


_WATCHES: dict[int, PageWatch] = {}


def _watch(page: Any) -> PageWatch:
    watch = PageWatch()
    _WATCHES[id(page)] = watch
    page.on("load", watch.on_load)
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    page.on("response", watch.on_response)
    return watch


@pytest.fixture()
def new_page(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """Factory: a page in a fresh browser context (own cookies), e.g. one per person."""
    contexts: list[Any] = []
    watched: list[tuple[Any, PageWatch]] = []

    def make(viewport: dict[str, int] | None = None, storage_state: Any = None) -> Any:
        context = browser.new_context(viewport=viewport or WIDE, base_url=live_server.url,
                                      locale="en-GB", timezone_id="Europe/London",
                                      storage_state=storage_state)
        context.set_default_timeout(10_000)
        # axe-core goes into every document the context loads, through the DevTools protocol:
        # the page's Content-Security-Policy does not govern it, so the browser keeps CSP on.
        context.add_init_script(script=_axe_source())
        contexts.append(context)
        page = context.new_page()
        watched.append((page, _watch(page)))
        return page

    yield make
    unchecked: list[str] = []
    problems: list[str] = []
    for page, watch in watched:
        _WATCHES.pop(id(page), None)
        unchecked += watch.unchecked()
        problems += watch.take_problems()
    for context in contexts:
        context.close()
    if unchecked or problems:
        pytest.fail("\n".join(
            ([f"pages loaded without an accessibility check (use visit() or check_page()): "
              f"{', '.join(unchecked)}"] if unchecked else []) + problems), pytrace=False)


@pytest.fixture()
def page(new_page: Callable[..., Any]) -> Any:
    """A signed-out page, desktop width."""
    return new_page()


# ---------------------------------------------------------------- accessibility


def _axe_source() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} <{v.get('helpUrl', '')}>")
        for node in v["nodes"][:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary[:300]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


# Documents (markup less CSRF tokens, at a viewport width) that axe already passed: the same
# markup with the same styles gives the same result, so it is not checked twice.
_PASSED: set[str] = set()
_CSRF_INPUT = re.compile(r"<input[^>]*csrf_token[^>]*>")
REPEATED_ROWS = "tbody > tr:nth-child(n+6)"


def _where(page: Any) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def check_a11y(page: Any, *, exclude: list[str] | None = None, all_rows: bool = False) -> None:
    """Run axe-core (WCAG 2.2 A and AA rules) on the page; fail listing every violation.

    Table rows after the fifth are left out: they repeat the markup of the rows before them,
    and checking hundreds of cells makes axe slow (pass ``all_rows=True`` to check them all).
    """
    page.wait_for_load_state("load")
    watch = _WATCHES.get(id(page))
    if watch is not None and (problems := watch.take_problems()):
        pytest.fail(f"the browser reported problems on {_where(page)}:\n" + "\n".join(problems),
                    pytrace=False)
    exclude = [*(exclude or []), *([] if all_rows else [REPEATED_ROWS])]
    markup = _CSRF_INPUT.sub("", page.content())
    key = hashlib.sha256(
        f"{page.viewport_size['width']}|{exclude}|{markup}".encode()
    ).hexdigest()
    if key not in _PASSED:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(_axe_source())
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        results = page.evaluate(
            "([exclude, opts]) => axe.run(exclude.length ? {exclude} : document, opts)",
            [[[s] for s in exclude], options],
        )
        violations = results["violations"]
        if violations:
            pytest.fail(f"accessibility violations on {_where(page)} at "
                        f"{page.viewport_size['width']}px:\n" + format_violations(violations),
                        pytrace=False)
        _PASSED.add(key)
    if watch is not None:
        watch.mark_checked()


REFLOW_JS = """(width) => {
  const wraps = [...document.querySelectorAll('.table-wrap')].map(w => {
    const r = w.getBoundingClientRect();
    return {left: r.left, right: r.right, overflow: getComputedStyle(w).overflowX,
            scrolls: w.scrollWidth > w.clientWidth};
  });
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => !e.closest('.table-wrap, .visually-hidden, .skip-link')
                 && e.getClientRects().length
                 && e.getBoundingClientRect().right > width + 1)
    .slice(0, 5).map(e => e.outerHTML.slice(0, 160));
  return {scrollWidth: document.scrollingElement.scrollWidth, wraps, wide};
}"""


def check_reflow(page: Any, width: int = NARROW["width"]) -> bool:
    """At ``width`` CSS pixels the page must not scroll sideways: nothing sticks out, and
    tables scroll inside their ``.table-wrap``. Returns whether some table had to scroll.
    The viewport is put back as it was."""
    original = page.viewport_size
    if original["width"] != width:
        page.set_viewport_size({"width": width, "height": original["height"]})
    try:
        info = page.evaluate(REFLOW_JS, width)
    finally:
        if original["width"] != width:
            page.set_viewport_size(original)
    where = f"{_where(page)} at {width}px"
    assert info["scrollWidth"] <= width + 2, f"{where}: the page scrolls sideways {info}"
    assert not info["wide"], f"{where}: wider than the screen: {info['wide']}"
    for wrap in info["wraps"]:
        assert wrap["left"] >= -1 and wrap["right"] <= width + 1, f"{where}: table box {wrap}"
        assert wrap["overflow"] in ("auto", "scroll"), f"{where}: table box {wrap}"
    return any(w["scrolls"] for w in info["wraps"])


def check_page(page: Any, *, reflow: bool = True) -> None:
    """Everything every page must pass: axe, and reflow at 320 px."""
    check_a11y(page)
    if reflow:
        check_reflow(page)


def visit(page: Any, path: str, *, status: int = 200, reflow: bool = True) -> Any:
    """Go to ``path``, assert the HTTP status of the final response, and check the page."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path}: expected {status}, got {response.status}"
    check_page(page, reflow=reflow)
    return response


@pytest.fixture(name="check_a11y")
def check_a11y_fixture() -> Callable[..., None]:
    return check_a11y


@pytest.fixture(name="visit")
def visit_fixture() -> Callable[..., Any]:
    return visit


# ---------------------------------------------------------------- signing in


def tab_to(page: Any, selector: str, *, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has focus (keyboard only)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} not reached within {limit} Tab presses")


def nav_group(page: Any, name: str) -> Any:
    """Open the main navigation's group ``name`` (e.g. "Reports") in the wide row with a click
    on its summary, and return the group (its details element) to find links in."""
    group = page.locator(".nav-row details").filter(
        has=page.locator("summary", has_text=re.compile(rf"^\s*{re.escape(name)}\b")))
    if not group.evaluate("(details) => details.open"):
        group.locator("summary").click()
    return group


def sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form with the keyboard; checks the form and the landing page."""
    visit(page, "/sign-in")
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path != "/sign-in", f"sign-in as {email} failed"
    check_page(page)


# Signed-in cookies per (server, person): the first sign-in goes through the form, later pages
# for the same person start from its cookies (much faster). Cleared by LiveServer.reset().
_SESSIONS: dict[tuple[str, str], Any] = {}


@pytest.fixture()
def signed_in_page(new_page: Callable[..., Any], live_server: LiveServer) -> Callable[..., Any]:
    """Factory: ``signed_in_page(email, viewport=None)`` -> a page signed in as that person,
    showing their home page (checked)."""

    def make(email: str, *, password: str = DEMO_PASSWORD,
             viewport: dict[str, int] | None = None) -> Any:
        key = (live_server.url, email)
        if key in _SESSIONS:
            page = new_page(viewport, storage_state=_SESSIONS[key])
            response = page.goto("/")
            if response is not None and urlsplit(page.url).path == "/":
                check_page(page)
                return page
            check_a11y(page)
            _SESSIONS.pop(key, None)
        else:
            page = new_page(viewport)
        sign_in(page, email, password)
        _SESSIONS[key] = page.context.storage_state()
        return page

    return make
