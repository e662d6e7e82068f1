"""The epoch scrubber: slider and keys move the time machine; the time machine moves the slider."""
from PySide6.QtCore import Qt

from nnlab.ui.runs.scrubber import EpochScrubber


def make_scrubber(qtbot, lab):
    scrubber = EpochScrubber(lab.time_machine)
    qtbot.addWidget(scrubber)
    scrubber.resize(600, 60)
    scrubber.show()
    qtbot.waitExposed(scrubber)
    scrubber.activateWindow()
    scrubber.slider.setFocus()
    qtbot.waitUntil(scrubber.slider.hasFocus)
    return scrubber


def test_the_slider_spans_the_current_runs_epochs_and_moving_it_shows_that_epoch(qtbot, xor_lab):
    scrubber = make_scrubber(qtbot, xor_lab)
    run = xor_lab.session.runs.current
    assert (scrubber.slider.minimum(), scrubber.slider.maximum(), scrubber.slider.value()) == (0, 4, 4)
    assert scrubber.live_button.isChecked() and scrubber.epoch_label.text() == "live · epoch 4"
    scrubber.slider.setValue(2)
    assert xor_lab.time_machine.epoch == 2 and not scrubber.live_button.isChecked()
    assert xor_lab.selection.snapshot.params.tobytes() == run.snapshots.get(2).params.tobytes()
    assert scrubber.epoch_label.text() == "epoch 2 of 4"


def test_keys_step_one_epoch_jump_to_the_ends_and_l_goes_live(qtbot, xor_lab):
    scrubber = make_scrubber(qtbot, xor_lab)
    machine = xor_lab.time_machine
    live_view = xor_lab.selection.snapshot
    qtbot.keyClick(scrubber.slider, Qt.Key.Key_Left)
    assert machine.epoch == 3 and scrubber.slider.value() == 3
    qtbot.keyClick(scrubber.slider, Qt.Key.Key_Left)
    qtbot.keyClick(scrubber.slider, Qt.Key.Key_Right)
    assert machine.epoch == 3
    qtbot.keyClick(scrubber.slider, Qt.Key.Key_Home)
    assert machine.epoch == 0 and scrubber.slider.value() == 0
    qtbot.keyClick(scrubber.slider, Qt.Key.Key_End)
    assert machine.epoch == 4 and not machine.live
    qtbot.keyClick(scrubber.slider, Qt.Key.Key_L)
    assert machine.live and scrubber.live_button.isChecked() and xor_lab.selection.snapshot is live_view
    scrubber.live_button.setFocus()  # the keys work wherever the focus is in the scrubber
    qtbot.waitUntil(scrubber.live_button.hasFocus)
    qtbot.keyClick(scrubber.live_button, Qt.Key.Key_Left)
    assert machine.epoch == 3
    qtbot.keyClick(scrubber.live_button, Qt.Key.Key_Home)
    assert machine.epoch == 0
    qtbot.keyClick(scrubber.live_button, Qt.Key.Key_L)
    assert machine.live


def test_live_button_returns_to_now_and_a_click_on_it_while_live_keeps_it_ticked(qtbot, xor_lab):
    scrubber = make_scrubber(qtbot, xor_lab)
    scrubber.slider.setValue(1)
    qtbot.mouseClick(scrubber.live_button, Qt.MouseButton.LeftButton)
    assert xor_lab.time_machine.live and scrubber.live_button.isChecked()
    qtbot.mouseClick(scrubber.live_button, Qt.MouseButton.LeftButton)
    assert scrubber.live_button.isChecked()


def test_the_slider_follows_the_current_run_a_branch_starts_at_its_parents_epoch(qtbot, xor_lab):
    scrubber = make_scrubber(qtbot, xor_lab)
    scrubber.slider.setValue(1)
    xor_lab.session.use_run(2)  # branched from run 1 at epoch 1, trained to epoch 4
    assert (scrubber.slider.minimum(), scrubber.slider.maximum()) == (1, 4)
    assert scrubber.live_button.isChecked() and xor_lab.time_machine.live


def test_a_thinned_away_epoch_is_named_under_the_slider(qtbot, xor_lab):
    from nnlab.lab.snapshots import SnapshotStore

    run = xor_lab.session.runs.current
    thin = SnapshotStore(budget_bytes=0, full_epochs=1)
    for snapshot in run.snapshots:
        thin.add(snapshot)
    run.snapshots = thin
    assert 3 not in thin
    scrubber = make_scrubber(qtbot, xor_lab)
    scrubber.slider.setValue(3)
    assert scrubber.note_label.isVisible() and "epoch 3 was not kept" in scrubber.note_label.text()
    scrubber.slider.setValue(1)
    assert not scrubber.note_label.isVisible()


def test_without_a_run_the_scrubber_is_disabled(qtbot):
    from nnlab.lab.runs import RunTree
    from nnlab.lab.selection import Selection
    from nnlab.lab.time_machine import TimeMachine

    scrubber = EpochScrubber(TimeMachine(RunTree(), Selection()))
    qtbot.addWidget(scrubber)
    assert not scrubber.slider.isEnabled() and not scrubber.live_button.isEnabled()
    assert scrubber.epoch_label.text().startswith("no run yet")
