"""Job progress (Flow's job-output) and the jobs list.

`JobState` mirrors one engine Job (read on the event loop by a periodic drain of the job's events); `JobView`
renders it: run time, remaining time, status, a progress bar coloured by status, Cancel while running and View
once the job has a model (the partial model while training, as Flow allows).
"""
from __future__ import annotations

import pandas as pd
import panel as pn
import param

from .. import safe_html as safe
from ._common import format_duration, key_value_table, routine_button, run_routine, test_id, title
from .live import JobFeed, Poller, final_message, is_running, progress_message

BAR_COLORS = {"CREATED": "warning", "RUNNING": "warning", "DONE": "secondary", "CANCELLED": "danger",
              "FAILED": "danger"}


def job_model_key(job):
    """The model a job builds (its destination), if it has one yet."""
    dest = getattr(job, "destination", None) or getattr(job, "dest", None)
    if dest:
        return str(dest)
    model = getattr(job, "model", None)
    return getattr(model, "key", None)


def job_type(job) -> str:
    if getattr(job, "grid", None) is not None:
        return "Grid"
    return "Model" if job_model_key(job) else "Job"


class JobState(param.Parameterized):
    """What the job view shows; `refresh()` copies it from the job (event loop only)."""

    key = param.String()
    description = param.String()
    status = param.String(default="CREATED")
    progress = param.Number(default=0.0, bounds=(0, 1))
    elapsed = param.Number(default=0.0)
    eta = param.Number(default=None, allow_None=True)
    message = param.String(default="")
    error = param.String(default="")
    model_key = param.String(default=None, allow_None=True)

    def __init__(self, job, last_progress=None, **params):
        super().__init__(key=str(job.key), description=str(getattr(job, "description", "") or ""), **params)
        self.job = job
        self.refresh(last_progress)

    def refresh(self, last_progress=None):
        """Copy the job's fields; `last_progress` is its latest progress event (for the message line)."""
        job = self.job
        exc = getattr(job, "exception", None)
        message = progress_message(last_progress) if last_progress else self.message
        model = getattr(job, "model", None)
        if str(job.status) in ("DONE", "CANCELLED") and (getattr(model, "output", None) or {}).get("stop_reason"):
            message = final_message(model)  # the model's final counts, not the last progress event's
        elif str(job.status) == "CANCELLED" and getattr(job, "stop_reason", None):
            message = str(job.stop_reason)
        self.param.update(
            status=str(job.status), progress=float(min(max(job.progress or 0.0, 0.0), 1.0)),
            elapsed=float(job.elapsed or 0.0), eta=None if job.eta is None else float(job.eta),
            message=message,
            error="" if exc is None else f"{type(exc).__name__}: {exc}", model_key=job_model_key(job))

    @property
    def running(self) -> bool:
        return self.status in ("CREATED", "RUNNING")

    def remaining_text(self) -> str:
        if not self.running:
            return format_duration(0.0)
        return "Estimating..." if self.eta is None else format_duration(self.eta)


class JobView(pn.viewable.Viewer):
    """Flow's Job cell: fields, progress bar and message, Cancel / View; live while the job runs."""

    def __init__(self, ctx, job, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.state = JobState(job)
        self.feed = JobFeed(job) if self.state.running else None
        self.fields = safe.HTML(css_classes=test_id("job-fields"))
        self.bar = pn.indicators.Progress(value=0, max=100_000, width=400, css_classes=test_id("job-progress"))
        self.percent = safe.Markdown(css_classes=test_id("job-percent"), margin=(0, 5))
        self.message = safe.Markdown(css_classes=test_id("job-message"), margin=(0, 5))
        self.error = safe.Alert(alert_type="danger", visible=False, css_classes=test_id("job-error"))
        self.cancel = routine_button(ctx, "Cancel Job", "job-cancel", "cancelJob", self.state.key, color="danger")
        self.view = pn.widgets.Button(label="View", css_classes=test_id("job-view-model"))
        self.show_view = True  # a view embedding the job (the grid view) shows the result itself
        opens = "getGrid" if job_type(job) == "Grid" else "getModel"
        self.view.on_click(lambda _e: run_routine(ctx, opens, self.state.model_key))
        self.state.param.watch(self._render, list(JobState.param)[1:])
        self._render()
        self.poller = Poller(ctx, self.tick) if self.feed is not None else None

    def tick(self):
        """Periodic drain: refresh from the job; returns False once it has finished (stops the poller)."""
        self.feed.drain()
        self.state.refresh(self.feed.last_progress)
        if not self.state.running:
            self.feed.close()
            return False
        return True

    def _render(self, *_):
        s = self.state
        self.fields.object = key_value_table({
            "Run Time": format_duration(s.elapsed), "Remaining Time": s.remaining_text(), "Type": job_type(s.job),
            "Key": s.model_key or s.key, "Description": s.description, "Status": s.status}, "job").object
        self.bar.value = int(round(s.progress * 100_000))
        self.bar.bar_color = BAR_COLORS.get(s.status, "info")
        self.percent.object = f"{s.progress * 100:.0f}%"
        self.message.object = s.message
        self.error.object, self.error.visible = s.error, bool(s.error)
        self.cancel.visible = s.running
        self.view.visible = self.show_view and bool(s.model_key) and s.status != "FAILED"

    def __panel__(self):
        return pn.Column(title("Job", "⏳"), self.fields, pn.Row(self.bar, self.percent), self.message, self.error,
                         pn.Row(self.view, self.cancel), css_classes=test_id("job-view"))


def jobs_table(jobs) -> pd.DataFrame:
    rows = [{"key": str(j.key), "destination": job_model_key(j) or "", "description": getattr(j, "description", ""),
             "status": str(j.status), "progress": f"{100 * float(j.progress or 0):.0f}%",
             "run_time": format_duration(j.elapsed)} for j in jobs]
    return pd.DataFrame(rows, columns=["key", "destination", "description", "status", "progress", "run_time"])


class JobsView(pn.viewable.Viewer):
    """Flow's getJobs: one row per job (click a row to open it), refreshed while any job runs."""

    def __init__(self, ctx, **params):
        super().__init__(**params)
        self.ctx = ctx
        self.table = pn.widgets.Tabulator(jobs_table(ctx.app.jobs.list()), show_index=False, disabled=True,
                                          pagination="local", page_size=20, sizing_mode="stretch_width",
                                          css_classes=test_id("jobs-table"))
        self.table.on_click(self._open)
        self.poller = Poller(ctx, self.tick)

    def tick(self):
        jobs = self.ctx.app.jobs.list()
        table = jobs_table(jobs)
        if not table.equals(self.table.value):  # re-send only when a row changed
            self.table.value = table
        return any(is_running(j) for j in jobs)

    def _open(self, event):
        key = self.table.value.iloc[event.row]["key"]
        run_routine(self.ctx, "getJob", key)

    def __panel__(self):
        return pn.Column(title("Jobs", "⏳"), self.table, css_classes=test_id("jobs-view"))


def job_view(ctx, job):
    return JobView(ctx, job)


def jobs_view(ctx):
    return JobsView(ctx)
