"""Export weights…: the dialog opens on the current run at the shown epoch and waits for a kept epoch."""
from PySide6.QtWidgets import QDialogButtonBox

from nnlab.lab.snapshots import SnapshotStore
from nnlab.ui.runs.export_dialog import ExportWeightsDialog


def ok_enabled(dialog) -> bool:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_it_opens_on_the_current_run_at_the_scrubbed_epoch(qtbot, xor_lab):
    xor_lab.time_machine.scrub_to(2)
    dialog = ExportWeightsDialog(xor_lab.session.runs, xor_lab.time_machine)
    qtbot.addWidget(dialog)
    assert dialog.choice() == (1, 2) and ok_enabled(dialog)
    dialog.run_box.setCurrentIndex(dialog.run_box.findData(2))
    assert dialog.choice() == (2, 4) and dialog.epoch_spin.minimum() == 1


def test_a_thinned_away_epoch_is_named_and_cannot_be_exported(qtbot, xor_lab):
    run = xor_lab.session.runs[1]
    thin = SnapshotStore(budget_bytes=0, full_epochs=1)
    for snapshot in run.snapshots:
        thin.add(snapshot)
    run.snapshots = thin
    dialog = ExportWeightsDialog(xor_lab.session.runs, xor_lab.time_machine)
    qtbot.addWidget(dialog)
    dialog.epoch_spin.setValue(3)
    assert not ok_enabled(dialog) and "epoch 3 was thinned away" in dialog.note.text()
    dialog.epoch_spin.setValue(1)
    assert ok_enabled(dialog) and not dialog.note.isVisibleTo(dialog)
