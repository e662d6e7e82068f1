"""The Runs dock's list: a row per run with its own numbers, branches under their parent, ticks that compare,
a click that makes a run current, Branch from here at the scrubbed epoch, and removal with undo."""
from PySide6.QtCore import QPoint, Qt

from nnlab.ui.runs.run_words import (BEST_LOSS, BEST_SCORE, COMPARE, DIFFERS, EPOCHS, NAME, ORIGIN, TIME,
                                     duration_words)
from nnlab.ui.runs.runs_panel import RunsPanel


def make_panel(qtbot, lab, **kwargs):
    panel = RunsPanel(lab.session, lab.comparison, lab.time_machine, lab.run_settings, **kwargs)
    qtbot.addWidget(panel)
    panel.resize(900, 300)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def click(qtbot, panel, run_id, column):
    tree = panel.tree
    rect = tree.visualItemRect(panel._items[run_id])
    # the tick is drawn at the cell's left edge; other cells are clicked in their middle
    x = tree.header().sectionViewportPosition(column) + (10 if column == COMPARE else
                                                         tree.header().sectionSize(column) // 2)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, rect.center().y()))


def test_each_run_is_a_row_with_its_own_numbers_and_a_branch_sits_under_its_parent(qtbot, xor_lab):
    panel = make_panel(qtbot, xor_lab)
    runs = xor_lab.session.runs
    first, branch = panel._items[1], panel._items[2]
    assert panel.tree.topLevelItemCount() == 1 and branch.parent() is first
    assert [first.text(NAME), first.text(DIFFERS), first.text(ORIGIN), first.text(EPOCHS)] == \
        ["run 1", "lr 0.1", "", "4"]
    assert [branch.text(NAME), branch.text(DIFFERS), branch.text(ORIGIN), branch.text(EPOCHS)] == \
        ["run 2", "lr 0.001", "run 1, epoch 1", "4"]
    for run_id, item in panel._items.items():
        loss, accuracy = runs[run_id].best_validation
        assert item.text(BEST_LOSS) == f"{loss:.4g}".replace("-", "\u2212")
        assert item.text(BEST_SCORE) == f"{100 * accuracy:.1f} %"
        assert item.text(TIME) == duration_words(runs[run_id].seconds_trained)
    assert first.font(NAME).bold() and not branch.font(NAME).bold()  # run 1 is current


def test_a_click_on_a_row_makes_its_run_current_and_a_click_on_the_tick_compares_it(qtbot, xor_lab):
    panel = make_panel(qtbot, xor_lab)
    session = xor_lab.session
    click(qtbot, panel, 2, COMPARE)
    assert xor_lab.comparison.ticked == [2] and session.runs.current.id == 1
    click(qtbot, panel, 2, DIFFERS)
    assert session.runs.current.id == 2
    assert session.network.params.tobytes() == session.runs[2].resume_params.tobytes()
    assert panel._items[2].font(NAME).bold() and not panel._items[1].font(NAME).bold()
    xor_lab.comparison.set_ticked(1, True)  # the lab's change shows in the ticks
    assert panel._items[1].checkState(COMPARE) == Qt.CheckState.Checked
    panel.tree.setCurrentItem(panel._items[1])
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Return)  # Enter makes the selected run current
    assert session.runs.current.id == 1


def test_during_a_run_switching_runs_or_branching_is_refused_in_one_sentence(qtbot, xor_lab):
    panel = make_panel(qtbot, xor_lab)
    panel.set_training_state("running")
    assert not panel.make_current(2) and xor_lab.session.runs.current.id == 1
    assert "stop training first" in panel.message.text()
    assert not panel.branch_here() and len(xor_lab.session.runs) == 2


def test_the_window_helper_decides_when_given(qtbot, xor_lab):
    asked = []

    def attempt(title, action):
        asked.append(title)
        action()
        return True

    panel = make_panel(qtbot, xor_lab, attempt=attempt)
    panel.set_training_state("running")
    assert panel.make_current(2) and asked == ["Cannot switch to run 2"]


def test_renaming_a_row_renames_the_run_and_a_bad_name_is_refused_and_put_back(qtbot, xor_lab):
    panel = make_panel(qtbot, xor_lab)
    runs = xor_lab.session.runs
    panel._items[2].setText(NAME, "  slow   one ")
    assert runs[2].name == "slow one" and panel._items[2].text(NAME) == "slow one"
    panel._items[2].setText(NAME, "   ")
    assert runs[2].name == "slow one" and panel._items[2].text(NAME) == "slow one"
    assert panel.message.text() == "a run's name must be some text"
    runs.rename(1, "fast")
    assert panel._items[1].text(NAME) == "fast" and panel._items[2].text(ORIGIN) == "fast, epoch 1"


def test_branch_from_here_starts_a_run_at_the_scrubbed_epoch_with_the_panels_settings(qtbot, xor_lab):
    panel = make_panel(qtbot, xor_lab)
    session, settings = xor_lab.session, xor_lab.run_settings
    settings.apply(**{"dataset": "xor", "hidden": (6,), "activation": "tanh", "learning_rate": 0.03,
                      "optimizer": "sgd", "batch_size": 16, "epochs": 3})
    assert panel.branch_action.text() == "&Branch from epoch 4"
    xor_lab.time_machine.scrub_to(2)
    assert panel.branch_action.text() == "&Branch from epoch 2"
    panel.activateWindow()
    panel.tree.setFocus()
    qtbot.waitUntil(panel.tree.hasFocus)
    qtbot.keyClick(panel.tree, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    branch = session.runs.current
    assert branch.id == 3 and branch.parent == (1, 2) and branch.settings["train"]["learning_rate"] == 0.03
    assert session.network.params.tobytes() == session.runs[1].snapshots.get(2).params.tobytes()
    assert panel._items[3].parent() is panel._items[1] and panel._items[3].text(ORIGIN) == "run 1, epoch 2"
    assert xor_lab.time_machine.live and panel.branch_action.text() == "&Branch from epoch 2"
    assert "Branched run 3 from run 1 at epoch 2" in panel.message.text()
    panel.set_training_state("running")  # Start trained it: "Start trains it." is old news
    assert panel.message.text() == ""


def test_delete_removes_a_run_that_is_not_current_and_undo_brings_it_back(qtbot, xor_lab):
    panel = make_panel(qtbot, xor_lab)
    runs = xor_lab.session.runs
    xor_lab.comparison.set_ticked(2, True)
    panel.tree.setCurrentItem(panel._items[1])
    panel.tree.setFocus()
    qtbot.waitUntil(panel.tree.hasFocus)
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert 1 in runs and "make another run current" in panel.message.text()
    panel.tree.setCurrentItem(panel._items[2])
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert 2 not in runs and 2 not in panel._items and xor_lab.comparison.ticked == []
    assert panel.undo_button.isVisible() and panel.message.text() == "Removed run 2."
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert 2 in runs and panel._items[2].parent() is panel._items[1] and not panel.undo_button.isVisible()


def test_rows_follow_what_is_recorded_and_a_new_session_empties_the_list(qtbot, xor_lab, train_more):
    panel = make_panel(qtbot, xor_lab)
    session = xor_lab.session
    train_more(session, 2, learning_rate=0.1)  # run 1 carries on: epochs 5 and 6
    qtbot.waitUntil(lambda: panel._items[1].text(EPOCHS) == "6")
    session.runs.replace_all([], None)
    assert panel.tree.topLevelItemCount() == 0 and not panel.branch_action.isEnabled()
