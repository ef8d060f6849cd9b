"""Issue 15 item 8: five browser tabs (re)loading the landing page at once must not stall the server.

Each page load used to build the example notebook's ~300 Bokeh models on the server's event loop, so while five
tabs loaded, `/liveness` (and every other user's click) waited up to 14 s on the loaded 2-core development
machine. The page is now light and the notebook is built after it connects, off the event loop, one
cell's output at a time. A real `deepbrook serve`, real Chromium tabs, `/liveness` polled from a thread meanwhile.
"""
import statistics
import threading
import time

import pytest
import requests
from playwright.sync_api import expect

pytestmark = pytest.mark.ui

TABS = 5
ROUNDS = 2
LOADED = ".db-model-builder"  # the example's last cell's output: the page is fully built


def liveness_seconds(url: str) -> float:
    t0 = time.perf_counter()
    r = requests.get(url + "liveness", timeout=120)
    assert r.status_code == 200, r.text
    return time.perf_counter() - t0


def test_five_tabs_loading_the_notebook_keep_liveness_fast(browser, serve_with, tmp_path):
    with serve_with(tmp_path / "ws") as url:
        context = browser.new_context()
        tabs = [context.new_page() for _ in range(TABS)]
        try:
            tabs[0].goto(url, timeout=120_000)  # the first page parses the example's data once
            expect(tabs[0].locator(LOADED)).to_have_count(1, timeout=180_000)
            idle = [liveness_seconds(url) for _ in range(10)]

            busy, stop = [], threading.Event()

            def poll():
                while not stop.is_set():
                    busy.append(liveness_seconds(url))
                    stop.wait(0.1)

            poller = threading.Thread(target=poll, daemon=True)
            poller.start()
            try:
                for _ in range(ROUNDS):
                    for tab in tabs:  # start every load before waiting for any: five concurrent page builds
                        tab.goto(url, wait_until="commit", timeout=120_000)
                    for tab in tabs:
                        expect(tab.locator(LOADED)).to_have_count(1, timeout=240_000)
            finally:
                stop.set()
                poller.join(timeout=150)
        finally:
            context.close()
    median_idle, median_busy = statistics.median(idle), statistics.median(busy)
    p90 = statistics.quantiles(busy, n=10)[-1]
    print(f"/liveness idle median {median_idle:.3f} s; while {TABS} tabs loaded ({ROUNDS} rounds): "
          f"median {median_busy:.3f} s, 90th percentile {p90:.3f} s, max {max(busy):.3f} s over {len(busy)} "
          f"requests; slowest {sorted(round(b, 2) for b in busy)[-8:]}")
    assert len(busy) >= 5, "the loads finished before /liveness was asked: nothing was measured"
    # Generous bounds for a loaded 2-core CI machine. Between page builds the server is idle, so the median says
    # little; the stalls are what page builds on the event loop cause. Measured on the loaded development machine:
    # before the change 8 answers took 9.5-13.8 s (median 0.02 s); after it the two slowest took 4.3 and 3.5 s,
    # the rest under 2 s.
    stalls = [round(b, 2) for b in busy if b > 5.0]
    assert len(stalls) <= 2, f"/liveness stalled while pages loaded: {stalls} s (idle median {median_idle:.3f} s)"
    assert median_busy < 1.0, f"/liveness median {median_busy:.2f} s while pages loaded (idle {median_idle:.3f} s)"


def test_the_page_builds_without_callback_threads_too(page, serve_with, tmp_path):
    """`--num-threads 0` (every callback on the event loop): the notebook is still built once the page connects."""
    with serve_with(tmp_path / "ws", "--num-threads", "0") as url:
        page.goto(url, timeout=120_000)
        expect(page.locator(LOADED)).to_have_count(1, timeout=180_000)
        expect(page.locator(".db-cell")).to_have_count(6)
