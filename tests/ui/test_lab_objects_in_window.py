"""The window on the lab's plain objects: their events (psygnal, run at once on the emitting thread) come
only from the GUI thread, also during a run, and Start says why it cannot augment points."""
import threading

TIMEOUT = 20_000
SESSION_SIGNALS = ("dataset_changed", "network_changed", "dirty_changed", "path_changed")
SELECTION_SIGNALS = ("neuron_changed", "connection_changed", "input_changed", "snapshot_changed")


def test_the_lab_objects_are_told_of_a_run_on_the_gui_thread_only(window, qtbot, tmp_path):
    threads = []
    for owner, names in ((window.session, SESSION_SIGNALS), (window.selection, SELECTION_SIGNALS)):
        for name in names:
            getattr(owner, name).connect(lambda *_: threads.append(threading.current_thread()))
    window.panel.epochs.setValue(3)
    window.panel.batch_size.setValue(1)  # many batches: progress updates while the worker runs
    assert window.start_training()
    qtbot.waitUntil(lambda: window.training.state == "idle", timeout=TIMEOUT)
    window.step_batch()
    qtbot.waitUntil(lambda: window.training.state == "paused", timeout=TIMEOUT)
    window.stop_training()
    assert window.save_to(tmp_path / "xor.npz")
    assert threads and set(threads) == {threading.main_thread()}


def test_start_with_augmentation_on_points_says_what_to_change(window, errors):
    """It used to train without the shifts and without a word."""
    network = window.session.network
    window.panel.augment.setChecked(True)
    assert not window.start_training()
    assert errors == [("Cannot start training", "augmentation shifts images by up to ±2 px, but 'xor' holds "
                                                "points of 2 numbers: turn augmentation off")]
    assert window.training.state == "idle" and window.session.network is network
