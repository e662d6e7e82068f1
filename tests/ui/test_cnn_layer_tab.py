"""The Layer tab with a CNN: a convolution's or pooling's layer shows its feature maps for the inspected input
(it showed only a sentence), each pixel the snapshot's own number; hover says which map and pixel, a click takes
that pixel apart on the Feature map tab."""
import numpy as np
import pytest

from nnlab.lab.selection import FeatureRef
from nnlab.ui.inspector.map_mosaic import GAP, maps_per_row, mosaic


@pytest.fixture
def window(lenet_window):
    return lenet_window


@pytest.fixture
def inspector(window):
    window.inspector.show_tab("layer")
    return window.inspector


def maps_of(window, column: int) -> np.ndarray:
    trace = window.selection.snapshot.forward_trace(np.asarray(window.selection.input.values).reshape(1, -1))
    return trace.activations[column][0]


@pytest.mark.parametrize("column, count, side", [(1, 8, 28), (2, 8, 14), (3, 16, 14), (4, 16, 7)])
def test_a_conv_or_pool_layer_shows_its_maps_for_the_input(window, inspector, column, count, side):
    inspector.layer_spin.setValue(column)
    view = inspector.layer_view
    shown = view.mosaic
    assert shown is not None and view.pictures.currentWidget() is view.maps
    assert inspector.message.text() == ""  # was: "This layer is made of feature maps: …"
    assert f"{count} feature maps of {side}×{side} for validation sample 1" in view.caption.text()
    maps = maps_of(window, column)
    for k in range(count):
        top, left = shown.origin(k)
        np.testing.assert_array_equal(shown.image[top:top + side, left:left + side], maps[k])
    assert int((shown.channel >= 0).sum()) == maps.size and np.isnan(shown.image[shown.channel < 0]).all()


def test_hover_names_the_map_pixel_and_a_click_takes_it_apart(window, inspector, qtbot):
    inspector.layer_spin.setValue(1)
    view = inspector.layer_view
    index = view.mosaic.index_of(3, 14, 12)
    view.maps.hovered.emit(index)
    value = float(maps_of(window, 1)[3, 14, 12])
    assert view.hover.text().startswith("map 4, pixel (row 14, column 12): a = ")
    assert float(view.hover.text().split("= ")[1].replace("\u2212", "-")) == pytest.approx(value, abs=1e-6)
    view.maps.clicked.emit(index)
    assert window.selection.feature == FeatureRef(1, 3, 14, 12)
    assert inspector.tabs.currentWidget() is inspector.feature_page
    inspector.show_tab("layer")  # back on the Layer tab the chosen pixel is marked
    marker_x, marker_y = view.maps.marker.getData()
    top, left = view.mosaic.origin(3)
    assert (marker_x.min(), marker_y.min()) == (left + 12, top + 14)


def test_the_maps_are_laid_out_to_fill_the_picture():
    assert maps_per_row(8, (28, 28)) == 3  # no box: near-square
    assert maps_per_row(8, (28, 28), (800, 250)) == 4  # a wide, low inspector: 4 × 2
    assert maps_per_row(8, (28, 28), (60, 900)) == 1  # a tall, narrow one: one column
    built = mosaic(np.arange(8 * 3 * 2, dtype=float).reshape(8, 3, 2), (800, 250))
    assert built.image.shape == (2 * 3 + GAP, 4 * 2 + 3 * GAP)
    for channel, row, col in ((0, 0, 0), (5, 2, 1), (7, 1, 0)):
        assert built.at(built.index_of(channel, row, col)) == (channel, row, col)
    assert built.at(2) is None  # the gap after map 1's first row


def test_statistics_pending_for_a_dense_neuron_stop_quietly_when_a_map_layer_is_chosen(window, inspector):
    """They raised "could not broadcast (1000, 16, 7, 7) into (1000, 784)" in the event loop."""
    inspector.show_tab("neuron")
    inspector.layer_spin.setValue(6)  # the 64-unit dense layer: its statistics are scheduled
    inspector.layer_spin.setValue(4)  # maxpool2 before they ran
    inspector.finish_stats()  # raised before


def test_the_maps_are_laid_out_again_when_the_picture_changes_shape(window, inspector, qtbot):
    inspector.layer_spin.setValue(1)
    view = inspector.layer_view
    layouts = []
    for size in ((900, 200), (200, 900)):  # as a layout resizes the picture
        view.pictures.resize(*size)
        box = (view.pictures.width(), view.pictures.height())
        assert view.mosaic.tiles[1] == maps_per_row(8, (28, 28), box), box
        layouts.append(view.mosaic.tiles)
    assert layouts[0] != layouts[1]


@pytest.mark.parametrize("tab", ["neuron", "layer"])
def test_the_flatten_column_says_it_is_one_row_of_the_maps_not_maps(window, inspector, tab):
    inspector.show_tab(tab)
    inspector.layer_spin.setValue(5)  # conv8x5, maxpool2, conv16x5, maxpool2, flatten
    assert inspector.message.text().startswith("The flatten layer has no weights: it lays the feature maps")
