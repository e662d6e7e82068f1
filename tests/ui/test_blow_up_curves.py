"""The curves of a diverged run: the points up to the blow-up, the blow-up clipped at the top under a marker."""
import math
from dataclasses import dataclass

import numpy as np
import pytest

from nnlab.engine import BlowUp
from nnlab.lab.history import History
from nnlab.ui.widgets.live_plots import LivePlots


@dataclass(frozen=True)
class Batch:
    epoch: int
    batch: int
    n_batches: int
    loss: float
    accuracy: float


@pytest.fixture
def history():
    return History()


@pytest.fixture
def plots(qtbot, history):
    widget = LivePlots(history)
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    return widget


def good_epochs(history, plots, epochs=2, n=4):
    """Losses falling from 2.4; epoch means at whole epochs."""
    for epoch in range(1, epochs + 1):
        history.add_batches([Batch(epoch, b, n, 2.4 / (epoch + b), 0.5) for b in range(1, n + 1)])
        history.add_epoch(epoch, 1.0 / epoch, 0.6, 1.1 / epoch, 0.55)
    plots.plan_run(epochs + 3)
    history.add_batches([Batch(epochs + 1, 1, n, 0.3, 0.5)])
    plots.flush()


def blow_up(epoch, batch, loss, restored_epoch, n_batches=4):
    """The engine's record of a blow-up at batch ``batch`` of ``epoch`` (None: in the validation after it)."""
    return BlowUp(epoch, batch, n_batches, loss, restored_epoch, np.zeros(1))


def legend_texts(plots) -> list[str]:
    return [label.text for _, label in plots.plots["loss"].getPlotItem().legend.items]


def loss_top(plots) -> float:
    return plots.plots["loss"].getPlotItem().getViewBox().viewRange()[1][1]


def test_a_blow_up_is_drawn_clipped_at_the_top_with_a_marker(history, plots):
    good_epochs(history, plots)
    before_x, before_y = plots.series("loss", "train_batch")
    history.record_blow_up(blow_up(3, 2, 4.2e8, restored_epoch=2))  # at x = 2.5
    x, y = plots.item("loss", "train_batch").getData()
    assert x.tolist() == [*before_x.tolist(), 2.5]
    assert y[:-1].tolist() == before_y.tolist()  # every point before it as it was
    ceiling = 3.0  # the round step at or above 2 × the highest loss before it (1.2)
    assert y[-1] == ceiling and plots.series("loss", "train_batch")[1][-1] == 4.2e8  # drawn clipped, kept true
    assert loss_top(plots) == pytest.approx(ceiling * 1.1)  # not 4.2e8: the good epochs stay readable
    marker_x, marker_y = plots.blow_up.marker.getData()
    assert (marker_x.tolist(), marker_y.tolist()) == ([2.5], [ceiling])
    assert plots.blow_up.line.isVisible() and plots.blow_up.line.value() == 2.5
    assert legend_texts(plots)[-1] == "loss blew up (4.2e+08)"


def test_a_non_finite_blow_up_is_marked_too(history, plots):
    good_epochs(history, plots)
    history.record_blow_up(blow_up(3, None, math.inf, restored_epoch=2))  # the validation after epoch 3
    x, y = plots.item("loss", "val_epoch").getData()
    assert x[-1] == 3.0 and y[-1] == plots.blow_up.ceiling == 3.0
    assert plots.blow_up.marker.getData()[1].tolist() == [3.0]


def test_the_next_run_drops_the_points_after_the_restored_epoch_and_the_marker(history, plots):
    good_epochs(history, plots)
    kept_x, kept_y = plots.series("loss", "train_batch")
    history.record_blow_up(blow_up(3, 2, 4.2e8, restored_epoch=2))
    history.carry_on_from(2)
    plots.plan_run(5)
    x, y = plots.series("loss", "train_batch")
    assert x.tolist() == kept_x[kept_x <= 2].tolist() and y.tolist() == kept_y[kept_x <= 2].tolist()
    assert plots.blow_up.marker.getData()[0].size == 0 and not any("blew up" in t for t in legend_texts(plots))
    assert not plots.blow_up.line.isVisible()
    smoothed = plots.series("loss", "train_smoothed")[1]
    history.add_batches([Batch(3, 1, 4, 0.2, 0.5)])
    assert plots.series("loss", "train_smoothed")[1][-1] == pytest.approx(0.9 * smoothed[-1] + 0.1 * 0.2)
    plots.flush()
    assert plots.item("loss", "train_batch").getData()[1][-1] == 0.2


def test_a_new_history_forgets_the_blow_up(history, plots):
    good_epochs(history, plots)
    history.record_blow_up(blow_up(3, 2, 4.2e8, restored_epoch=2))
    history.record_blow_up(blow_up(3, 3, 5e8, restored_epoch=2))  # shown twice: one line in the legend
    assert sum("blew up" in text for text in legend_texts(plots)) == 1
    assert legend_texts(plots)[-1] == "loss blew up (5e+08)"
    history.start_new()
    assert not any("blew up" in text for text in legend_texts(plots))
    history.add_batches([Batch(1, 1, 4, 30.0, 0.5)])
    plots.flush()
    assert plots.item("loss", "train_batch").getData()[1].tolist() == [30.0]
    assert loss_top(plots) == pytest.approx(30.0 * 1.03)
