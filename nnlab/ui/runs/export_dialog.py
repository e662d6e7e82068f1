"""File → Export weights…: which run, at which epoch. The window asks for the file name after it.

Opens on the current run at the epoch the time machine shows (its last epoch while live). An epoch whose
snapshot was thinned away is named with the nearest kept ones, and OK waits for a kept epoch.
"""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QWidget

from nnlab.lab.runs import RunTree
from nnlab.lab.time_machine import TimeMachine


class ExportWeightsDialog(QDialog):
    def __init__(self, runs: RunTree, time_machine: TimeMachine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export weights")
        self.runs = runs
        self.run_box = QComboBox()
        for run in runs:
            self.run_box.addItem(f"{run.name} ({run.last_epoch} epochs)", run.id)
        self.epoch_spin = QSpinBox()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        layout = QFormLayout(self)
        layout.addRow("Run:", self.run_box)
        layout.addRow("At the end of epoch:", self.epoch_spin)
        layout.addRow(self.note)
        layout.addRow(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.run_box.currentIndexChanged.connect(self._on_run)
        self.epoch_spin.valueChanged.connect(self._on_epoch)
        current = runs.current
        if current is not None:
            self.run_box.setCurrentIndex(self.run_box.findData(current.id))
        self._on_run()
        if current is not None and time_machine.run is current and time_machine.branch_epoch is not None:
            self.epoch_spin.setValue(time_machine.branch_epoch)

    def choice(self) -> tuple[int, int] | None:
        """(run id, epoch) as chosen; None when there is no run."""
        run_id = self.run_box.currentData()
        return None if run_id is None else (int(run_id), self.epoch_spin.value())

    def _on_run(self) -> None:
        run_id = self.run_box.currentData()
        if run_id is None:
            self.epoch_spin.setEnabled(False)
            self._say("There is no run yet: Start records one.", ok=False)
            return
        run = self.runs[run_id]
        self.epoch_spin.setRange(run.snapshots.start or 0, run.last_epoch)
        self.epoch_spin.setValue(run.last_epoch)
        self._on_epoch()

    def _on_epoch(self) -> None:
        choice = self.choice()
        if choice is None:
            return
        run = self.runs[choice[0]]
        epoch = choice[1]
        kept = epoch in run.snapshots
        self._say("" if kept else run.snapshots.missing(epoch) + ".", ok=kept)

    def _say(self, text: str, ok: bool) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
