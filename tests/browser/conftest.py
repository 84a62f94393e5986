"""Browser tests: a real Chromium, driven by Playwright, against pytest-django's live server.

Run only these with ``pytest -m browser``; the rest of the suite does not need a browser.
"""

import contextlib
import os
import shutil

import pytest

# Playwright's sync API keeps an event loop running in the test thread, and Django refuses
# ORM calls from a thread with a running loop. Tests here only set up and read data between
# browser steps, never concurrently with the server thread's requests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def chromium():
    executable = os.environ.get("TRUSTDESK_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.skip("no Chromium on this machine (set TRUSTDESK_CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def taxonomy(transactional_db):
    """The live server needs committed data, so these tests run in transactional mode, which
    empties the tables after each test, the taxonomy loaded by migration included."""
    from trustdesk.taxonomy.loader import load_taxonomy
    from trustdesk.taxonomy.models import Category, Keyword, Market

    load_taxonomy(Category, Keyword, Market)


@pytest.fixture
def page(chromium, live_server, taxonomy):
    """A 1280x800 tab on the live server. Any script error or CSP violation fails the test."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}
    )
    # Generous: the first request loads every app's URLconf, and CI machines are shared.
    context.set_default_timeout(20_000)
    tab = context.new_page()
    problems = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    yield tab
    # Let requests the page still has in flight (panels it loads after a navigation) finish
    # before the test's tables are emptied: the server thread answering one would otherwise
    # hold locks the emptying waits for (a deadlock on PostgreSQL).
    with contextlib.suppress(sync_api.Error):
        tab.wait_for_load_state("networkidle", timeout=5_000)
    context.close()
    assert [p for p in problems if "status of 404" not in p] == []


@pytest.fixture
def log_in(page):
    def log_in_as(user, password="correct-horse-battery"):
        page.goto("/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/incidents/")

    return log_in_as
