"""UI tests never block on a modal dialog: one that opens unexpectedly is recorded and fails the test."""
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    opened = []

    def record(kind):
        def fake(parent, title, text="", *args, **kwargs):
            opened.append((kind, title, text))
            return QMessageBox.StandardButton.Cancel
        return fake

    for kind in ("question", "warning", "critical", "information", "about"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", record("open file"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", record("save file"))
    yield opened
    assert not opened, f"a modal dialog opened during the test: {opened}"
