"""The inspector's written convolution sums and pooling winners are the forward pass's own numbers."""
import numpy as np
import pytest

from nnlab.engine.conv_explain import ConvPixel, PoolPixel, explain_pixel
from nnlab.engine.layers import ConvSpec, PoolSpec
from nnlab.engine.network import LayerSpec, Network


@pytest.fixture
def lenet():
    return Network((28, 28), [ConvSpec(8, 5), PoolSpec(2), ConvSpec(16, 5), PoolSpec(2, "avgpool2d"),
                              LayerSpec(64), LayerSpec(10, "softmax")], dtype=np.float64, seed=3)


@pytest.fixture
def sample():
    return np.random.default_rng(7).random(784)


@pytest.mark.parametrize("channel, row, col", [(0, 0, 0), (3, 13, 14), (7, 27, 27), (5, 1, 26)])
def test_a_first_layer_pixel_is_25_terms_that_add_up_to_the_forward_z(lenet, sample, channel, row, col):
    trace = lenet.forward_trace(sample[None])
    pixel = explain_pixel(lenet, sample, 0, channel, row, col)
    assert isinstance(pixel, ConvPixel)
    assert pixel.terms.products.size == 25  # one channel, a 5×5 kernel
    written = sum(float(p) for p in pixel.terms.products.reshape(-1)) + pixel.terms.bias
    assert written == pytest.approx(trace.pre_activations[0][0, channel, row, col], abs=1e-12)
    assert pixel.a == pytest.approx(trace.activations[1][0, channel, row, col], abs=1e-12)
    image = sample.reshape(28, 28)
    for i in range(5):
        for j in range(5):
            r, c = pixel.terms.top + i, pixel.terms.left + j
            inside = 0 <= r < 28 and 0 <= c < 28
            assert pixel.terms.inside[i, j] == inside
            assert pixel.terms.inputs[0, i, j] == (image[r, c] if inside else 0.0)


def test_a_second_layer_pixel_is_grouped_per_channel_and_adds_up(lenet, sample):
    trace = lenet.forward_trace(sample[None])
    pixel = explain_pixel(lenet, sample, 2, 11, 6, 9)
    assert pixel.terms.channel_sums.shape == (8,)
    assert pixel.input_maps.shape == (8, 14, 14)
    assert np.array_equal(pixel.input_maps, trace.activations[2][0])
    assert pixel.z == pytest.approx(trace.pre_activations[2][0, 11, 6, 9], abs=1e-12)


def test_max_pooling_names_the_winner_whose_value_it_passes_on(lenet, sample):
    trace = lenet.forward_trace(sample[None])
    for channel, row, col in [(0, 0, 0), (4, 7, 3), (7, 13, 13)]:
        pixel = explain_pixel(lenet, sample, 1, channel, row, col)
        assert isinstance(pixel, PoolPixel) and pixel.window == (2 * row, 2 * col, 2)
        assert pixel.value == trace.activations[2][0, channel, row, col]
        assert pixel.inputs[pixel.winner] == pixel.inputs.max()
        assert trace.activations[1][0, channel, 2 * row + pixel.winner[0], 2 * col + pixel.winner[1]] == pixel.value


def test_average_pooling_gives_the_window_mean(lenet, sample):
    trace = lenet.forward_trace(sample[None])
    pixel = explain_pixel(lenet, sample, 3, 2, 3, 4)
    assert pixel.winner is None
    assert pixel.value == pytest.approx(trace.activations[4][0, 2, 3, 4], abs=1e-12)


@pytest.mark.parametrize("where, sentence", [
    ((5, 0, 0, 0), "layer 6 is a dense layer, without feature maps"),
    ((0, 8, 0, 0), "layer 1 has 8 maps of 28×28; there is no map 9 pixel (0, 0)"),
    ((9, 0, 0, 0), "there is no layer 10; the network has 7"),
])
def test_a_pixel_that_does_not_exist_is_one_sentence(lenet, sample, where, sentence):
    with pytest.raises(ValueError, match="^" + sentence.replace("(", r"\(").replace(")", r"\)") + "$"):
        explain_pixel(lenet, sample, *where)


def test_the_written_sum_with_every_digit_adds_up_to_the_forward_z(lenet, sample):
    from nnlab.engine.conv_explain import sum_lines
    from nnlab.engine.numbers import format_number

    trace = lenet.forward_trace(sample[None])
    pixel = explain_pixel(lenet, sample, 0, 2, 10, 3)
    lines = sum_lines(pixel, digits=None)
    assert len(lines) >= 7 and lines[0].startswith("z = ")
    products = [term for line in lines[:5] for term in line[4:].split(" + ")]
    assert len(products) == 25
    to_float = lambda text: float(text.replace("−", "-"))  # noqa: E731
    written = sum(to_float(w) * to_float(x) for w, x in (term.split("·") for term in products))
    bias = to_float(lines[5].split("(")[1].split(")")[0])
    assert written + bias == pytest.approx(trace.pre_activations[0][0, 2, 10, 3], abs=1e-12)
    assert lines[6] == "a = relu(z) = " + format_number(pixel.a, None)
