"""Page events reach the notebook in the order the page sent them, even when a thread pool reorders delivery."""
import threading
import time

from deepbrook.app.notebook_view import OrderedDelivery


def msg(seq, key, source="tab"):
    return {"type": "key", "key": key, "seq": seq, "source": source}


def collector():
    seen = []
    return seen, OrderedDelivery(lambda m: seen.append(m["key"]))


def test_a_late_focus_is_acted_on_before_the_key_typed_after_it():
    seen, order = collector()
    order.receive(msg(1, "escape"))
    order.receive(msg(2, "b"))
    assert seen == []  # waits for message 0
    order.receive(msg(0, "focus"))
    assert seen == ["focus", "escape", "b"]


def test_each_rendering_keeps_its_own_count_and_unnumbered_messages_pass_straight():
    seen, order = collector()
    order.receive(msg(0, "x", source="first"))
    order.receive(msg(0, "y", source="second"))
    order.receive({"type": "key", "key": "plain"})
    order.receive(msg(1, "z", source="second"))
    assert seen == ["x", "y", "plain", "z"]


def test_a_message_that_never_comes_stops_nothing_for_long():
    seen, order = collector()
    order._gap_s = 0.05
    order.receive(msg(0, "a"))
    order.receive(msg(2, "c"))
    order.receive(msg(3, "d"))
    assert seen == ["a"]
    deadline = time.monotonic() + 5
    while seen != ["a", "c", "d"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen == ["a", "c", "d"]
    order.receive(msg(1, "b"))  # arrives after its gap was skipped: dropped, never acted on out of order
    order.receive(msg(4, "e"))
    assert seen == ["a", "c", "d", "e"]


def test_many_threads_delivering_shuffled_messages_keep_the_page_order():
    seen, order = collector()
    n = 400
    threads = [threading.Thread(target=order.receive, args=(msg(i, i),)) for i in reversed(range(n))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == list(range(n))
