"""Editing a CNN's layers keeps every weight whose shape survives; the flatten is written in, never edited."""
import numpy as np
import pytest

from nnlab.engine.layers import ConvSpec, PoolSpec, layer_word
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.reshape import insert_any, remove_any, replace_any, set_hidden_layers


@pytest.fixture
def lenet():
    return Network((28, 28), [ConvSpec(8, 5), PoolSpec(2), ConvSpec(16, 5), PoolSpec(2), LayerSpec(64),
                              LayerSpec(10, "softmax")], seed=1)


def words(network):
    return [layer_word(spec) for spec in network.layers]


def test_more_filters_resets_that_convolution_and_the_dense_layer_reading_it(lenet):
    result = replace_any(lenet, 2, ConvSpec(12, 5))
    assert words(result.network) == ["conv8x5", "maxpool2", "conv12x5", "maxpool2", "flatten", "64", "10"]
    assert result.reset == (2, 5)
    for kept in (0, 6):
        assert np.array_equal(result.network.weights[kept], lenet.weights[kept])


def test_a_convolution_inserted_among_the_dense_layers_goes_before_the_flatten_or_is_refused(lenet):
    result = insert_any(lenet, 5, ConvSpec(4, 3))  # between the flatten and 64: the maps are still there
    assert words(result.network)[:6] == ["conv8x5", "maxpool2", "conv16x5", "maxpool2", "conv4x3", "flatten"]
    assert result.reset == (4, 6)
    with pytest.raises(ValueError, match=r"^layer 7 \(conv4x3\) needs \(channels, height, width\) maps"):
        insert_any(lenet, 6, ConvSpec(4, 3))


def test_removing_a_pooling_resets_only_the_dense_layer_after_it_and_the_flatten_cannot_go(lenet):
    result = remove_any(lenet, 3)
    assert words(result.network) == ["conv8x5", "maxpool2", "conv16x5", "flatten", "64", "10"]
    assert result.reset == (4,)
    with pytest.raises(ValueError, match="^the flatten layer comes with the first dense layer"):
        remove_any(lenet, 4)


def test_a_dense_network_becomes_convolutional_given_the_image_shape():
    dense = Network(784, [LayerSpec(64), LayerSpec(10, "softmax")])
    result = insert_any(dense, 0, ConvSpec(4, 3), input_shape=(28, 28))
    assert result.network.input_shape == (1, 28, 28) and result.reset == (0, 2)
    with pytest.raises(ValueError, match="^a convolution or pooling needs images"):
        insert_any(dense, 0, ConvSpec(4, 3))


def test_the_panel_layout_keeps_layers_by_position(lenet):
    result = set_hidden_layers(lenet, [ConvSpec(8, 5), PoolSpec(2), LayerSpec(32)])
    assert words(result.network) == ["conv8x5", "maxpool2", "flatten", "32", "10"]
    assert np.array_equal(result.network.weights[0], lenet.weights[0]) and result.reset == (3, 4)
