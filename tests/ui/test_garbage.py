"""Cyclic garbage (which may hold Qt objects) is freed on the GUI thread, never on a worker."""
import gc
import threading

from nnlab.ui.main_window import MainWindow


def test_cycles_made_on_a_worker_are_collected_on_the_gui_thread(qtbot):
    window = MainWindow(load_last_dataset=False)
    qtbot.addWidget(window)
    assert not gc.isenabled()
    freed_on_gui_thread = []

    class Cycle:
        def __init__(self):
            self.me = self

        def __del__(self):
            freed_on_gui_thread.append(threading.current_thread() is threading.main_thread())

    def make_garbage():
        for _ in range(5000):  # far past the generation-0 threshold: automatic GC would run here
            Cycle()

    worker = threading.Thread(target=make_garbage)
    worker.start()
    worker.join()
    assert freed_on_gui_thread == []
    qtbot.waitUntil(lambda: len(freed_on_gui_thread) == 5000, timeout=5000)
    assert all(freed_on_gui_thread)
