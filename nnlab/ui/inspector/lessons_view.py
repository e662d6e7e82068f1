"""The Lessons tab (also the start page on first launch): the seed texts' worked networks to open."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from nnlab.data.lesson_printed import CheckedNumber, check_printed
from nnlab.data.lessons import Lesson, LessonError, load_lessons

from ..colours import sign_colours
from .printed_numbers import printed_numbers_html

WELCOME = ("<b>Welcome to NN Lab.</b> Each lesson opens a small network with the exact weights of a worked "
           "example. Select any neuron to see its sum written out; the Backprop tab steps through one "
           "gradient step with the real numbers.")


class LessonsView(QWidget):
    lesson_chosen = Signal(object)  # Lesson

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lessons: list[Lesson] = []
        self._checked: dict[str, list[CheckedNumber]] = {}
        self.welcome = QLabel(WELCOME)
        self.welcome.setWordWrap(True)
        self.welcome.hide()
        self.list = QListWidget()
        self.list.setMinimumWidth(330)
        self.list.setMaximumWidth(420)
        self.text = QTextBrowser()
        self.open_button = QPushButton("Open this lesson")
        self.open_button.setEnabled(False)
        self.list.currentRowChanged.connect(self._show_lesson)
        self.list.itemActivated.connect(lambda _item: self._open_current())
        self.open_button.clicked.connect(self._open_current)
        right = QVBoxLayout()
        right.addWidget(self.text, 1)
        right.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)
        row = QHBoxLayout()
        row.addWidget(self.list)
        row.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.welcome)
        layout.addLayout(row, 1)

    def show_welcome(self, shown: bool) -> None:
        self.welcome.setVisible(shown)

    def ensure_loaded(self) -> None:
        """Read the lesson files the first time they are needed (start-up stays fast)."""
        if self.lessons or self.list.count():
            return
        try:
            self.lessons = load_lessons()
        except LessonError as error:
            self.text.setPlainText(f"The lessons could not be read: {error}")
            return
        for lesson in self.lessons:
            self.list.addItem(lesson.title)
            self.list.item(self.list.count() - 1).setToolTip(lesson.summary)
        self.list.setCurrentRow(0)

    def lesson(self, key: str) -> Lesson:
        self.ensure_loaded()
        return next(lesson for lesson in self.lessons if lesson.key == key)

    def _show_lesson(self, row: int) -> None:
        self.open_button.setEnabled(0 <= row < len(self.lessons))
        if not 0 <= row < len(self.lessons):
            return
        lesson = self.lessons[row]
        body = "".join(f"<p>{html.escape(p)}</p>" for p in lesson.explanation)
        note = f"<p><i>{html.escape(lesson.source_note)}</i></p>" if lesson.source_note else ""
        self.text.setHtml(f"<h3>{html.escape(lesson.title)}</h3><p><b>{html.escape(lesson.summary)}</b></p>"
                          f"{body}{note}{self._printed_html(lesson)}")

    def checked_numbers(self, lesson: Lesson) -> list[CheckedNumber]:
        """The text's printed numbers beside the engine's, worked out once per lesson."""
        if lesson.key not in self._checked:
            self._checked[lesson.key] = check_printed(lesson)
        return self._checked[lesson.key]

    def _printed_html(self, lesson: Lesson) -> str:
        try:
            checked = self.checked_numbers(lesson)
        except ValueError as error:
            return f"<p>The text's numbers could not be recomputed: {html.escape(str(error))}</p>"
        return printed_numbers_html(checked, sign_colours(self.text.palette())[1].name())

    def _open_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.lessons):
            self.lesson_chosen.emit(self.lessons[row])
