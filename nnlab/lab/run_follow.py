"""The Training panel follows the run made current: Start then carries that run on with its own settings.

Clicking a run, opening a session or branching makes a run current; its settings (learning rate, batch
size, seed, split …) become the next run's, so Start continues it exactly rather than as an edit with
whatever the panel held before. The number of epochs a Start asks for stays the learner's.
"""
from __future__ import annotations

from .run_settings import RunSettings
from .runs import Run, RunTree


def follow_run(run_settings: RunSettings, run: Run) -> None:
    """Set ``run_settings`` to ``run``'s network and training settings (ValueError, and nothing changed,
    for settings the panel cannot hold)."""
    experiment = run.experiment()
    train = experiment.train
    changes = {"dataset": experiment.dataset, "augment": bool(experiment.augment),
               "train_percent": round(100 * experiment.split[0]), "validation_percent": round(100 * experiment.split[1]),
               "optimizer": train.optimizer, "learning_rate": train.learning_rate,
               "lr_schedule": train.lr_schedule, "batch_size": train.batch_size,
               "seed": train.seed, "l1": train.l1, "l2": train.l2, "early_stopping": train.early_stopping_patience}
    run_settings.follow_network(run.network, run.network.loss)
    run_settings.apply(**changes)


class SettingsFollowRuns:
    """Keeps ``run_settings`` on the current run's settings whenever another run becomes current."""

    def __init__(self, runs: RunTree, run_settings: RunSettings) -> None:
        self.runs, self.run_settings = runs, run_settings
        runs.current_changed.connect(self._on_current_changed)

    def _on_current_changed(self, run: Run | None) -> None:
        if run is not None:
            follow_run(self.run_settings, run)
