"""The desktop entry point: builds the QApplication and shows the main window."""
from __future__ import annotations

import os
import sys
import tempfile

ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


def ensure_standard_streams() -> None:
    """A windowed Windows build (and ``pythonw``) starts with ``sys.stdout``/``sys.stderr`` set to
    None: every print, argparse message or warning would raise. Send them nowhere instead."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))


def prefer_single_threaded_blas(environ=os.environ) -> None:
    """Keep OpenBLAS's own thread pool out of the window's process; call before NumPy is imported.

    The window trains on a worker thread while the GUI thread also multiplies matrices (predictions,
    metrics). With OpenBLAS's pool alive, matrix products on a non-main thread spin and stall as soon
    as the main thread has used BLAS: measured on MNIST 784-128-64-10, an epoch on a worker thread
    took 0.65 s against 0.48 s on the main thread on a quiet machine, and 7-16 s against 0.8 s with
    other processes busy. With one BLAS thread the worker matches the main thread (0.80 s CPU both);
    one thread is what the trainer picks for batch-64 products anyway. The headless commands keep the pool.
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        environ.setdefault(name, "1")


def missing_display(environ=os.environ, platform: str = sys.platform) -> str | None:
    """Why no window can open, or None. Without a display Qt aborts with a core dump, not a message."""
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return ("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); the commands "
            "train, evaluate, predict and info work without one")


def app_icon():
    from PySide6.QtGui import QIcon

    from nnlab.resources import resource_path

    icon = QIcon()
    for size in ICON_SIZES:
        path = resource_path("icons", f"nnlab-{size}.png")
        if path.is_file():
            icon.addFile(str(path))
    return icon


def main(argv: list[str] | None = None, startup_probe: bool = False, smoke: bool = False,
         smoke_hold: float = 0.0) -> int:
    """Open the lab. ``startup_probe`` prints the wall-clock time the window was first shown,
    then quits: the start-up benchmark measures launch → window with it. ``smoke`` runs
    :mod:`nnlab.ui.smoke` on the window (offscreen unless ``QT_QPA_PLATFORM`` says otherwise,
    with throw-away settings), prints its one line, keeps the window ``smoke_hold`` seconds
    for a screenshot, and returns 0 only when every check passed."""
    ensure_standard_streams()
    if smoke:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        settings_folder = tempfile.TemporaryDirectory(prefix="nnlab-smoke-settings-")
        os.environ.setdefault("NNLAB_SETTINGS", os.path.join(settings_folder.name, "settings.ini"))
    problem = missing_display()
    if problem:
        print(f"nnlab: error: {problem}", file=sys.stderr)
        return 1
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nnlab import __version__
    from nnlab.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(["nnlab", *(argv or [])])
    app.setApplicationName("NN Lab")
    app.setOrganizationName("NN Lab")
    app.setApplicationDisplayName("NN Lab")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("nnlab")  # Wayland matches the window to packaging/nnlab.desktop by this
    app.setWindowIcon(app_icon())
    window = MainWindow(load_last_dataset=not smoke)
    window.show()
    if startup_probe:
        def report_and_quit() -> None:
            print(f"shown {time.time():.6f}", flush=True)
            window.session.set_dirty(False)
            window.close()
            app.quit()

        QTimer.singleShot(0, report_and_quit)
    if smoke:
        from nnlab.ui.smoke import run_smoke

        outcome = {}

        def smoke_and_quit() -> None:
            ok, line = run_smoke(window)
            outcome["ok"] = ok
            app.processEvents()  # the window shows the final state before anyone is told to look
            window.repaint()
            print(line, flush=True)
            QTimer.singleShot(int(smoke_hold * 1000) if ok else 0, lambda: (window.close(), app.quit()))

        QTimer.singleShot(0, smoke_and_quit)
        app.exec()
        return 0 if outcome.get("ok") else 1
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
