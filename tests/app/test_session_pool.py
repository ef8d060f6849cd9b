"""A tab's callbacks run one at a time in the order sent; different tabs run in parallel (SessionOrderedExecutor)."""
import functools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from bokeh.document import Document

from deepbrook.app.session_pool import (
    SessionOrderedExecutor,
    document_of,
    order_session_callbacks,
)


def test_one_documents_tasks_keep_their_order_even_when_the_first_is_slowest():
    pool = SessionOrderedExecutor(max_workers=4)
    doc, seen = Document(), []

    def task(_doc, i, delay):
        time.sleep(delay)
        seen.append(i)
        return i

    # like Panel's partial(self._change_event, doc) then a click event: the slow first must still finish first
    futures = [pool.submit(task, doc, 0, 0.2), pool.submit(functools.partial(task, doc), 1, 0.0),
               pool.submit(task, doc, 2, 0.0)]
    assert [f.result(timeout=5) for f in futures] == [0, 1, 2]
    assert seen == [0, 1, 2]
    pool.shutdown()


def test_two_documents_run_in_parallel_and_a_failure_reaches_the_future():
    pool = SessionOrderedExecutor(max_workers=2)
    a, b = Document(), Document()
    both_running = threading.Barrier(2, timeout=5)

    def meet(_doc):
        both_running.wait()  # deadlocks (BrokenBarrierError) unless the two tabs' tasks overlap
        return "met"

    fa, fb = pool.submit(meet, a), pool.submit(meet, b)
    assert fa.result(timeout=10) == fb.result(timeout=10) == "met"

    def boom(_doc):
        raise ValueError("bad cell")

    failed = pool.submit(boom, a)
    with pytest.raises(ValueError, match="bad cell"):
        failed.result(timeout=5)
    assert pool.submit(lambda _doc: "after", a).result(timeout=5) == "after"  # the queue goes on
    pool.shutdown()


def test_many_tasks_from_many_threads_keep_each_tabs_order():
    pool = SessionOrderedExecutor(max_workers=3)
    docs = [Document() for _ in range(3)]
    seen = {id(d): [] for d in docs}

    def record(doc, i):
        seen[id(doc)].append(i)

    def submit_all(doc):  # one thread per tab, as the server's event loop submits a tab's messages in order
        return [pool.submit(record, doc, i) for i in range(300)]

    with ThreadPoolExecutor(3) as submitters:
        futures = [f for fs in submitters.map(submit_all, docs) for f in fs]
    for f in futures:
        f.result(timeout=10)
    assert all(v == list(range(300)) for v in seen.values())
    assert pool._queues == {}  # nothing left behind once a tab is idle
    pool.shutdown()


def test_tasks_without_a_document_go_straight_to_the_pool():
    pool = SessionOrderedExecutor(max_workers=1)
    assert document_of(functools.partial(print, 1), (2,)) is None
    assert pool.submit(lambda x: x + 1, 1).result(timeout=5) == 2
    pool.shutdown()


def test_installing_over_panels_pool_keeps_its_size_and_is_idempotent():
    class State:
        _thread_pool = ThreadPoolExecutor(max_workers=3)

    state = State()
    assert order_session_callbacks(state)
    assert isinstance(state._thread_pool, SessionOrderedExecutor) and state._thread_pool.max_workers == 3
    installed = state._thread_pool
    assert order_session_callbacks(state) and state._thread_pool is installed
    state._thread_pool.shutdown()
    assert not order_session_callbacks(type("NoThreads", (), {"_thread_pool": None})())  # --num-threads 0


def test_panels_own_pool_from_num_threads_is_the_one_replaced():
    """Guards the private hook: `pn.config.nthreads` (what `panel serve --num-threads` sets) makes
    `pn.state._thread_pool`, and the swap takes it over."""
    import panel as pn

    pn.config.nthreads = 2
    try:
        assert isinstance(pn.state._thread_pool, ThreadPoolExecutor)
        assert order_session_callbacks(pn.state)
        assert isinstance(pn.state._thread_pool, SessionOrderedExecutor) and pn.state._thread_pool.max_workers == 2
    finally:
        pn.config.nthreads = None  # Panel shuts the pool down and runs callbacks on the event loop again
    assert pn.state._thread_pool is None
