"""The inspector dock is given the lab objects it shows (and the command that opens a lesson), not the window:
it is built and used here with no MainWindow at all."""
import gc

from nnlab.data.lessons import lesson_source
from nnlab.lab import LabSession, NeuronRef, RunSettings, Selection
from nnlab.ui.editor.editor import NetworkEditor
from nnlab.ui.inspector.dock import InspectorDock
from nnlab.ui.open_commands import lesson_input
from nnlab.ui.training.controller import TrainingController


def test_the_dock_shows_a_lesson_from_the_lab_objects_alone(qtbot):
    session, selection, settings = LabSession(), Selection(), RunSettings()
    training = TrainingController(settings)
    opened = []

    def open_lesson(lesson) -> bool:
        """What the window's open command does, cut to the lab objects the dock reads."""
        opened.append(lesson.key)
        session.use_dataset(session.prepare_dataset(lesson_source(lesson), (1.0, 0.0, 0.0), 0))
        session.adopt_network(lesson.build_network(), lesson.loss)
        selection.set_snapshot(session.network.copy())
        selection.set_input(lesson_input(lesson))
        return True

    dock = InspectorDock(selection, session, settings, training, open_lesson, NetworkEditor(session, selection))
    qtbot.addWidget(dock)
    dock.show()
    assert dock.open_lesson(dock.lessons.lesson("04-dog-cat")) and opened == ["04-dog-cat"]
    assert dock.lesson.key == "04-dog-cat"
    selection.select_neuron(NeuronRef(1, 0))
    assert dock.neuron_view.formula.text().splitlines()[0].endswith("= 0.71")


def test_a_lesson_the_command_refuses_leaves_the_dock_as_it_was(qtbot):
    session, selection, settings = LabSession(), Selection(), RunSettings()
    dock = InspectorDock(selection, session, settings, TrainingController(settings), lambda lesson: False,
                         NetworkEditor(session, selection))
    qtbot.addWidget(dock)
    assert not dock.open_lesson(dock.lessons.lesson("04-dog-cat"))
    assert dock.lesson is None


def test_a_dock_the_garbage_collector_takes_calls_no_slot_of_its_own_on_the_way_out(qtbot):
    """Its tab widget says "current changed" as its tabs go; the dock's Python side is gone by then."""
    settings = RunSettings()
    session, selection = LabSession(), Selection()
    dock = InspectorDock(selection, session, settings, TrainingController(settings), lambda lesson: False,
                         NetworkEditor(session, selection))
    dock.show()
    dock.tabs.setCurrentIndex(3)
    with qtbot.capture_exceptions() as raised:
        dock.close()
        del dock
        gc.collect()
        qtbot.wait(10)
    assert [str(error[1]) for error in raised] == []
