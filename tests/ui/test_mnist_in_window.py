"""Choosing the built-in mnist in the window: it tests on MNIST's official 10,000 and says so."""
import numpy as np
import pytest


@pytest.fixture
def window_dataset():
    return None


@pytest.fixture(autouse=True)
def no_error_shown(errors):
    yield
    assert errors == []


def test_mnist_in_the_list_tests_on_its_own_10000_and_the_summary_says_so(window):
    index = window.panel.dataset.findData("mnist")
    assert "70,000" in window.panel.dataset.itemData(index, 3)  # the tooltip (Qt.ToolTipRole)
    assert window.choose_dataset("mnist")
    splits = window.session.splits
    assert len(splits.test) == 10_000 and splits.test.fixed_test.all()
    assert len(splits.train) + len(splits.validation) == 60_000
    assert np.array_equal(splits.test.y, window.session.dataset.y[60_000:])
    assert "70,000 samples, 10 classes; test: its own 10,000." in window.panel.summary.text()
    assert window.choose_dataset("digits")
    assert "test:" not in window.panel.summary.text()
