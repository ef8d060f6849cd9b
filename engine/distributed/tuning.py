"""Samples per iteration across workers (H2O semantics doc 4.1), including the ``-2`` auto-tuner.

H2O sizes an iteration so that communication (broadcast + reduce) stays a fraction ``target_ratio_comm_to_comp`` of
compute. Here both are measured: communication as the iteration's wall time minus the slowest worker's compute time
(so scheduling, transfers and the driver's averaging all count as communication), compute as that slowest time.
"""
from dataclasses import dataclass, field

from ..model.iterations import auto_rows, fixed_rows

RETUNE_TOLERANCE = 0.2            # re-tune only when the measured ratio is off by more than 20%
RETUNE_LIMITS = (0.5, 2.0)        # ... and then by a factor in [0.5, 2] per iteration


@dataclass
class SamplesTuner:
    """Rows per iteration; for ``tspi == -2`` tuned from measured times, otherwise fixed by the H2O rules."""

    tspi: int
    n_train: int
    epochs: float
    n_workers: int
    replicated: bool
    target_ratio: float = 0.05
    rows: int = 0
    history: list = field(default_factory=list)

    def __post_init__(self):
        if self.tspi != -2:
            self.rows = fixed_rows(self.tspi, self.n_train, self.epochs, self.n_workers, self.replicated)
        else:
            if not self.target_ratio > 0:
                raise ValueError(f"target_ratio_comm_to_comp must be > 0, got {self.target_ratio}")
            self.rows = 0

    @property
    def auto(self):
        return self.tspi == -2

    def initial(self, comm_seconds, row_seconds):
        """First iteration's rows from a measured weight round trip and a measured worker's seconds per row
        (H2O guesses the latter from a Linpack run; measuring the real kernel is closer)."""
        if self.auto:
            self.rows = self._solve(comm_seconds, max(row_seconds, 1e-9))
        return self.rows

    def update(self, rows, compute_seconds, comm_seconds):
        """Record an iteration; with ``-2`` set the next iteration's rows (directly after the first, then by H2O's
        bounded re-tuning). Returns the rows for the next iteration."""
        self.history.append((rows, compute_seconds, comm_seconds))
        if not self.auto or rows <= 0 or compute_seconds <= 0:
            return self.rows
        if len(self.history) == 1:
            row_seconds = compute_seconds * self.n_workers / rows     # one worker's seconds per row
            self.rows = self._solve(comm_seconds, row_seconds)
            return self.rows
        measured = comm_seconds / compute_seconds
        if abs(measured / self.target_ratio - 1.0) > RETUNE_TOLERANCE:
            factor = min(max(measured / self.target_ratio, RETUNE_LIMITS[0]), RETUNE_LIMITS[1])
            self.rows = self._cap(self.rows * factor)
        return self.rows

    def _solve(self, comm_seconds, row_seconds):
        """H2O's ``(comm / ratio - comm) / time_per_row`` with ``n_workers`` rows trained at once, then its caps."""
        comm = max(comm_seconds, 1e-4)
        per_worker = (comm / self.target_ratio - comm) / row_seconds
        return self._cap(per_worker * self.n_workers)

    def _cap(self, rows):
        return auto_rows(rows, self.n_train, self.epochs, self.n_workers)  # H2O's caps (model/iterations.py)
