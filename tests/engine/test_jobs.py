"""Background training jobs: progress and scoring events, cancel, max_runtime_secs, failures, the registry."""
import threading
import time

import numpy as np
import pytest

from deepbrook.engine import DeepLearning, Frame, Job, JobRegistry, ParameterError


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20000, 10))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(np.int32)
    cols = {f"x{i}": x[:, i] for i in range(10)}
    cols["y"] = y
    return Frame.from_arrays(cols, types={"y": "enum"}, name="synthetic")


def test_async_training_reports_progress_and_scoring_rows(frame):
    events = []
    lock = threading.Lock()
    est = DeepLearning(hidden=[16], epochs=2, seed=1, score_each_iteration=True, train_samples_per_iteration=5000)
    job = est.train_async(y="y", training_frame=frame)
    job.subscribe(lambda e: (lock.acquire(), events.append(e), lock.release()))
    model = job.result(timeout=120)
    assert job.status == "DONE" and job.progress == 1.0 and job.model is model
    assert job.end_time >= job.start_time and job.elapsed > 0 and job.eta == 0.0
    kinds = [e["type"] for e in events]
    assert "scoring" in kinds and kinds[-1] == "done"
    rows = [e["row"] for e in events if e["type"] == "scoring"]
    assert rows[-1]["epochs"] == pytest.approx(2.0)
    assert all("training_logloss" in r for r in rows)


def test_cancel_stops_quickly_and_keeps_the_model(frame):
    est = DeepLearning(hidden=[64, 64], epochs=1000, seed=1)
    job = est.train_async(y="y", training_frame=frame)
    started = threading.Event()
    job.subscribe(lambda e: started.set() if e["type"] == "progress" else None)
    assert started.wait(60)
    t0 = time.time()
    job.cancel()
    model = job.result(timeout=30)
    assert time.time() - t0 < 5
    assert job.status == "CANCELLED" and model.output["stop_reason"] == "cancelled"
    assert model.output["epochs"] < 1000
    assert model.predict(frame).nrows == frame.nrows


def test_max_runtime_secs_stops_mid_training(frame):
    t0 = time.time()
    model = DeepLearning(hidden=[64, 64], epochs=1000, seed=1, max_runtime_secs=1.0).train(y="y", training_frame=frame)
    assert model.output["stop_reason"] == "max_runtime_secs"
    assert time.time() - t0 < 30


def test_parameter_errors_raise_before_the_job_starts(frame):
    with pytest.raises(ParameterError):
        DeepLearning(hidden=[0]).train_async(y="y", training_frame=frame)


def test_failed_job_reports_its_exception():
    job = Job("boom")
    job.start(lambda j: 1 / 0)
    assert job.wait(10)
    assert job.status == "FAILED" and isinstance(job.exception, ZeroDivisionError)
    with pytest.raises(ZeroDivisionError):
        job.result()


def test_registry_is_thread_safe_and_finds_jobs():
    reg = JobRegistry()
    jobs = [Job(f"j{i}") for i in range(50)]
    threads = [threading.Thread(target=reg.add, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(reg) == 50 and reg.get(jobs[3].key) is jobs[3]
    reg.cancel(jobs[3].key)
    assert jobs[3].cancel_event.is_set()
    with pytest.raises(KeyError):
        reg.get("nope")


def test_a_failing_subscriber_never_stops_training(frame):
    est = DeepLearning(hidden=[8], epochs=1, seed=1)
    job = est.train_async(y="y", training_frame=frame)
    job.subscribe(lambda e: 1 / 0)
    assert job.result(timeout=120) is not None and job.status == "DONE"


def test_done_listeners_run_before_waiters_wake_and_may_read_the_result():
    """A 'done' listener that reads job.result() (the app stores the model that way) neither deadlocks nor
    runs after result() has returned to a waiter."""
    import threading
    from deepbrook.engine.jobs import Job

    seen = []
    release = threading.Event()

    def work(job):
        release.wait(5)
        return "model"

    job = Job("store test")
    job.subscribe(lambda e: seen.append(job.result()) if e["type"] == "done" else None)
    job.start(work)
    release.set()
    assert job.result(timeout=10) == "model"
    assert seen == ["model"]
