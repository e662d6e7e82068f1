"""The window's File commands: open, save, recent files, dropped files, curve exports.

A mixin of ``MainWindow`` (it uses the window's session, training controller, settings and
``_ask_*``/``_show_error`` questions); kept apart so the window file stays about assembly.
"""
from __future__ import annotations

from pathlib import Path

WEIGHT_FILES = "NN Lab weights (*.npz);;All files (*)"


class FileCommands:
    def open_dialog(self) -> None:
        if self._may_discard():
            path = self._ask_open_path("Open weights", WEIGHT_FILES)
            if path:
                self.open_path(path, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a weight file; a failure shows the reason and changes nothing."""
        if ask and not self._may_discard():
            return False
        self.training.stop()
        try:
            self.session.open_model(path)
        except (ValueError, OSError) as error:
            self._show_error("Could not open the weights", error)
            return False
        if self.session.dataset_source:
            self.panel.show_dataset(self.session.dataset_source, Path(self.session.dataset_source).name)
        self.panel.show_network(self.session.network, self.session.loss)
        self.settings.add_recent_file(path)
        return True

    def save(self) -> bool:
        return self.save_to(self.session.path) if self.session.path else self.save_as()

    def save_as(self) -> bool:
        path = self._ask_save_path("Save weights", WEIGHT_FILES)
        if not path:
            return False
        return self.save_to(Path(path) if Path(path).suffix else Path(path).with_suffix(".npz"))

    def save_to(self, path: Path) -> bool:
        try:
            with self.training.held():
                self.session.save(path)
        except (ValueError, OSError) as error:
            self._show_error("Could not save the weights", error)
            return False
        self.settings.add_recent_file(path)
        self.status.show_message(f"Saved {path}")
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.get("recent_files")
        for index, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{index} {Path(path).name}")
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(recent))

    def _on_path_changed(self, path) -> None:
        self.setWindowTitle(f"{path.name if path else 'untitled'}[*] — NN Lab")
        self._refresh_actions()

    def export_plots_png(self) -> None:
        path = self._ask_save_path("Export curves", "PNG image (*.png)")
        if path:
            base = Path(path).with_suffix("")
            try:
                for plot in ("loss", "accuracy"):
                    self.plots.export_png(f"{base}-{plot}.png", plot=plot)
            except (ValueError, OSError) as error:
                self._show_error("Could not export the curves", error)

    def export_plots_csv(self) -> None:
        path = self._ask_save_path("Export curves", "CSV table (*.csv)")
        if path:
            try:
                self.plots.export_csv(Path(path).with_suffix(".csv"))
            except (ValueError, OSError) as error:
                self._show_error("Could not export the curves", error)

    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() and url.toLocalFile().endswith(".npz") for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.toLocalFile().endswith(".npz")]
        if files:
            event.acceptProposedAction()
            self.open_path(files[0])
