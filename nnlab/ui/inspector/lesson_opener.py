"""Opening a lesson: its dataset and float64 network become the session's, its input the inspected one."""
from __future__ import annotations

from nnlab.data.lessons import Lesson, lesson_source

from ..selection import ConnectionRef, InspectedInput, NeuronRef


def inspected(lesson: Lesson, index: int = 0) -> InspectedInput:
    sample = lesson.samples[index]
    shape = tuple(lesson.input_shape) if len(lesson.input_shape) == 2 else None
    return InspectedInput(sample.values.copy(), shape, f"lesson input: {sample.name}", sample.label)


def open_lesson(window, lesson: Lesson) -> bool:
    """Replace the session's dataset and network with the lesson's; False if the user kept their work."""
    if not window._may_discard():
        return False
    window.training.stop()
    session, panel = window.session, window.panel
    split = (0.70, 0.15, 0.15) if lesson.trainable else (1.0, 0.0, 0.0)
    try:
        network = lesson.build_network()
        session.load_dataset(lesson_source(lesson), split, 0)
    except ValueError as error:
        window._show_error("Cannot open the lesson", error)
        return False
    panel.show_dataset(session.dataset_source, lesson.title)
    panel.show_network(network, lesson.loss)
    training = lesson.training
    if "optimizer" in training:
        panel.optimizer.setCurrentText(training["optimizer"])
    for name, widget in (("learning_rate", panel.learning_rate), ("batch_size", panel.batch_size),
                         ("epochs", panel.epochs)):
        if name in training:
            widget.setValue(training[name])
    session.epochs_trained = 0
    session.experiment = None
    session.set_network(network, lesson.loss)
    session._set_path(None)
    session.set_dirty(False)
    selection = window.selection
    selection.set_input(inspected(lesson))
    if lesson.select is not None:
        selection.select_neuron(NeuronRef(*lesson.select))
    selection.select_connection(ConnectionRef(*lesson.connection) if lesson.connection else None)
    return True
