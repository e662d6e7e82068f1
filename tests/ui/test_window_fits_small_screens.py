"""The window fits a 1280×720 laptop with every built-in dataset and every lesson; the metrics table
shows its numbers and headers in full.

Docks tabbed together share one minimum size, so one tall page (the Draw panel behind the Training
tab, the Neuron tab's plots) used to hold the whole window at 1025×960 or more.
"""
import pytest
from PySide6.QtGui import QFont, QFontMetrics

from nnlab.data.builtin import BUILTIN_DATASETS
from nnlab.engine import evaluate
from nnlab.ui.settings import Settings
from nnlab.ui.widgets.metrics_view import MetricsView

SMALL = (1280, 720)
INSPECTOR_TABS = ("neuron", "layer", "backprop", "lessons")


@pytest.fixture
def window_dataset():
    return None


@pytest.fixture
def window_settings():
    """A first launch: the Lessons tab greets the learner, and must fit too."""
    return Settings()


@pytest.fixture(autouse=True)
def no_error_shown(errors):
    yield
    assert errors == []


def visit_every_page(win, qtbot) -> None:
    """Raise every tabbed dock and inspector tab once: pages built on first use count from then on."""
    for name in ("canvas", "metrics", "training", "plots"):
        win.docks[name].raise_()
        qtbot.wait(10)
    for tab in INSPECTOR_TABS:
        win.inspector.show_tab(tab)
        qtbot.wait(10)
    win.inspector.show_tab("neuron")


def assert_fits(win, qtbot, what: str) -> None:
    win.resize(*SMALL)
    qtbot.wait(50)
    hint, size = win.minimumSizeHint(), win.size()
    assert hint.width() <= SMALL[0] and hint.height() <= SMALL[1], f"{what}: minimum {hint.toTuple()}"
    assert (size.width(), size.height()) == SMALL, f"{what}: resized to {size.toTuple()}"


@pytest.mark.parametrize("dataset", list(BUILTIN_DATASETS))
def test_window_fits_1280x720_with_every_builtin_dataset(window, qtbot, dataset):
    assert window.choose_dataset(dataset)
    visit_every_page(window, qtbot)
    assert_fits(window, qtbot, dataset)


def test_window_fits_1280x720_after_every_lesson(window, qtbot):
    lessons = window.inspector.lessons
    lessons.ensure_loaded()
    assert lessons.lessons
    for lesson in lessons.lessons:
        assert window.inspector.open_lesson(lesson), lesson.key
        visit_every_page(window, qtbot)
        assert_fits(window, qtbot, lesson.key)


def column_contents_widths(table) -> list[int]:
    """Pixels of the widest text in each column, header included (the macro row is bold)."""
    model, header = table.model(), table.horizontalHeader()
    plain = QFontMetrics(table.font())
    bold_font = QFont(table.font())
    bold_font.setBold(True)
    bold = QFontMetrics(bold_font)
    header_metrics = QFontMetrics(header.font())
    widths = []
    for column in range(model.columnCount()):
        texts = [(plain if row < model.rowCount() - 1 else bold, str(model.index(row, column).data()))
                 for row in range(model.rowCount())]
        widths.append(max([header_metrics.horizontalAdvance(str(model.headerData(column, header.orientation())))]
                          + [metrics.horizontalAdvance(text) for metrics, text in texts]))
    return widths


def assert_columns_hold_their_contents(table) -> None:
    header = table.horizontalHeader()
    needs = table.column_needs()
    contents = column_contents_widths(table)
    for column, (need, text) in enumerate(zip(needs, contents)):
        assert need > text, f"column {column}: needs {need} px for {text} px of text"
        assert header.sectionSize(column) >= need, (column, header.sectionSize(column), need)


def test_metrics_table_shows_numbers_and_headers_in_full_at_the_default_size(window, qtbot):
    assert window.choose_dataset("digits")
    window.resize(1280, 800)  # MainWindow's default size
    window.evaluate_test()  # raises the Metrics dock
    qtbot.wait(50)
    table = window.metrics.table
    assert table.model().rowCount() == 11  # ten digits and the macro average
    assert_columns_hold_their_contents(table)
    columns = sum(table.horizontalHeader().sectionSize(c) for c in range(table.model().columnCount()))
    assert columns <= table.viewport().width(), "all five columns side by side, no scrolling sideways"


def test_metrics_columns_keep_their_width_in_a_narrow_view(window, qtbot):
    """A dock narrower than the table: it scrolls sideways, and each column still shows all of its text."""
    assert window.choose_dataset("digits")
    session, test = window.session, window.session.splits.test
    result = evaluate(session.network, test.x, test.y, session.loss, session.dataset.n_classes)
    narrow = MetricsView()
    qtbot.addWidget(narrow)
    narrow.resize(260, 600)
    narrow.show()
    narrow.show_evaluation(result, "test", 0, classes=list(session.dataset.classes))
    qtbot.wait(50)
    assert narrow.model.rowCount() == 11
    assert_columns_hold_their_contents(narrow.table)
    assert narrow.table.horizontalScrollBar().maximum() > 0
