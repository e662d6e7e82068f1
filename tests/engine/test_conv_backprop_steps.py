"""The step-debugger's backward walk through a CNN: its δ and kernel gradients are the engine's and the slopes
measured by central differences, max-pooling hands δ to the winner alone, and the written sums add up."""
import numpy as np
import pytest

from nnlab.engine.backprop_stages import build_stages
from nnlab.engine.conv_backprop_steps import ConvBackpropWalk, pool_winners
from nnlab.engine.conv_backprop_words import kernel_gradient_lines, pixel_check_line, pixel_delta_lines
from nnlab.engine.layers import ConvSpec, PoolSpec
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.numbers import format_number

TARGET = np.array([0.0, 1.0, 0.0])


def small_cnn(dtype=np.float64) -> Network:
    """Every layer kind and geometry: same/valid padding, stride 1 and 2, max and average pooling."""
    layers = [ConvSpec(3, 3, activation="tanh"), PoolSpec(2), ConvSpec(4, 3, 2, "valid", "tanh"),
              PoolSpec(2, "avgpool2d"), LayerSpec(5, "tanh"), LayerSpec(3, "softmax")]
    net = Network((1, 13, 13), layers, dtype=dtype, seed=3)  # 13: the first pooling floors a row away
    for bias in net.biases:
        bias[...] = np.linspace(-0.2, 0.3, bias.size)
    return net


def sample() -> np.ndarray:
    return np.random.default_rng(0).normal(size=169)


@pytest.mark.parametrize("loss, l2", [("cross_entropy", 0.0), ("cross_entropy", 0.01)])
def test_every_gradient_is_the_engines_and_every_kernel_weight_the_central_difference(loss, l2):
    net = small_cnn()
    walk = ConvBackpropWalk(net, sample(), TARGET, loss, l2=l2)
    engine = net.gradients(sample(), TARGET[None], loss, l2=l2)
    for ours, theirs in zip(walk.weight_gradients(), engine.weights):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-14)
    for ours, theirs in zip(walk.bias_gradients(), engine.biases):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-14)
    for ours, theirs in zip(walk.deltas, engine.deltas):
        np.testing.assert_allclose(ours, theirs[0], rtol=1e-10, atol=1e-14)
    checked = 0
    for layer in (0, 2):
        for index in np.ndindex(net.weights[layer].shape):
            assert walk.kernel_finite_difference(layer, *index) == pytest.approx(
                walk.kernel_gradient(layer, *index), abs=1e-6)
            checked += 1
        for filt in range(net.weights[layer].shape[0]):
            assert walk.conv_bias_finite_difference(layer, filt) == pytest.approx(
                walk.bias_gradients()[layer][filt], abs=1e-6)
    assert checked == 3 * 9 + 4 * 3 * 9


def test_max_pooling_hands_delta_to_the_winner_alone():
    net = small_cnn()
    walk = ConvBackpropWalk(net, sample(), TARGET, "cross_entropy")
    maps, pooled_delta = walk.a[1], walk.deltas[1]  # conv1's output (3, 13, 13), maxpool's δ (3, 6, 6)
    winners = pool_winners(maps, 2)
    upstream = walk.upstream[0]
    for channel, row, col in np.ndindex(pooled_delta.shape):
        win_row, win_col = divmod(int(winners[channel, row, col]), 2)
        window = upstream[channel, 2 * row:2 * row + 2, 2 * col:2 * col + 2]
        assert window[win_row, win_col] == pooled_delta[channel, row, col]
        assert maps[channel, 2 * row + win_row, 2 * col + win_col] == maps[channel, 2 * row:2 * row + 2,
                                                                           2 * col:2 * col + 2].max()
        losers = np.ones((2, 2), bool)
        losers[win_row, win_col] = False
        assert np.all(window[losers] == 0.0)
    assert np.all(upstream[:, 12, :] == 0.0) and np.all(upstream[:, :, 12] == 0.0)  # past the floor
    channel, row, col = 1, 4, 6
    win_row, win_col = divmod(int(winners[channel, row // 2, col // 2]), 2)
    loser = (row + 1 - win_row, col + 1 - win_col)  # the diagonal opposite of the winner lost
    assert walk.pixel_delta(1, channel, *loser) == 0.0
    lines = pixel_delta_lines(walk, 1, channel, *loser)
    assert "only the winner gets the δ" in lines[1] and lines[2] == "∂L/∂a = 0"


@pytest.mark.parametrize("pixel", [(1, 0, 3, 4), (1, 2, 7, 1), (2, 1, 2, 2), (3, 2, 1, 1), (4, 3, 0, 0)])
def test_a_pixels_delta_is_its_central_difference_and_its_lines_add_up(pixel):
    net = small_cnn()
    walk = ConvBackpropWalk(net, sample(), TARGET, "cross_entropy")
    value = walk.pixel_delta(*pixel)
    assert walk.pixel_finite_difference(*pixel) == pytest.approx(value, abs=1e-7)
    lines = pixel_delta_lines(walk, *pixel, digits=None)
    assert lines[0].endswith("= " + format_number(value, None))
    assert pixel_check_line(walk, *pixel).startswith("central difference on this pixel's")


def test_the_delta_of_a_pixel_read_by_a_convolution_is_the_sum_of_its_taps():
    net = small_cnn()
    walk = ConvBackpropWalk(net, sample(), TARGET, "cross_entropy")
    lines = pixel_delta_lines(walk, 2, 1, 2, 2, digits=None)  # maxpool pixel read by the stride-2 valid conv
    assert "kernel taps of layer 3 (conv4x3s2valid)" in lines[2]
    weight, delta = net.weights[2], walk.deltas[2]
    expected = sum(weight[f, 1, i, j] * delta[f, (2 - i) // 2, (2 - j) // 2]
                   for f in range(4) for i in (0, 2) for j in (0, 2))  # taps at even offsets reach (2, 2)
    assert walk.upstream[1][1, 2, 2] == pytest.approx(expected, abs=1e-15)


def test_a_kernel_weights_gradient_is_written_as_the_sum_over_positions():
    net = small_cnn()
    walk = ConvBackpropWalk(net, sample(), TARGET, "cross_entropy")
    lines = kernel_gradient_lines(walk, 0, 1, 0, 2, 0, digits=None)
    gradient = walk.kernel_gradient(0, 1, 0, 2, 0)
    assert lines[0] == f"∂L/∂w = Σ δ·x over 169 positions = {format_number(gradient, None)}"
    assert "δ(r, c) · x(map 1; r + 1, c − 1)" in lines[1]  # tap (2, 0) of a same-padded 3×3 kernel
    deltas, inputs = walk.kernel_terms(0, 1, 0, 2, 0)
    assert np.sum(deltas * inputs) == pytest.approx(gradient, abs=1e-15)
    zeros = int(np.count_nonzero(deltas * inputs == 0))
    assert lines[2].startswith(f"{zeros} of the 169 terms are 0")
    assert lines[-1].startswith("central difference")
    assert float(lines[-1].rsplit(": ", 1)[1].replace("−", "-")) == pytest.approx(gradient, abs=1e-6)


def test_the_script_steps_through_every_layer_of_a_cnn():
    walk = ConvBackpropWalk(small_cnn(), sample(), TARGET, "cross_entropy")
    stages = build_stages(walk)
    assert [s.kind for s in stages] == ["input"] + ["forward"] * 7 + ["loss"] + ["backward"] * 7 + ["update"]
    backward = {s.layer: s for s in stages if s.kind == "backward"}
    assert backward[1].title == "Backward: layer 1 (conv3x3)"
    routed = int(np.count_nonzero(walk.upstream[0]))
    assert f"{routed} of 507 inputs of layer 1 get a δ" in backward[2].lines[-1]
    assert routed == int(np.count_nonzero(walk.deltas[1]))


def test_a_float32_network_is_walked_in_float64():
    net = small_cnn(np.float32)
    walk = ConvBackpropWalk(net, sample(), TARGET, "cross_entropy")
    assert walk.network.dtype == np.float64 and walk.network.input_shape == (1, 13, 13)
    np.testing.assert_array_equal(walk.network.params, net.params.astype(np.float64))


def test_the_walk_gives_torch_autograds_gradients():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed; the comparison with it is skipped")
    from tests.engine.test_cnn_torch import torch_twin

    net = small_cnn()
    walk = ConvBackpropWalk(net, sample(), TARGET, "cross_entropy")
    model = torch_twin(net)
    logits = model(torch.tensor(sample().reshape(1, 1, 13, 13)))
    torch.nn.functional.cross_entropy(logits, torch.tensor([1])).backward()
    theirs = [m for m in model if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    ours = [(w, b) for w, b, spec in zip(walk.weight_gradients(), walk.bias_gradients(), net.layers)
            if spec.has_parameters]
    assert len(ours) == len(theirs) == 4
    for (weight, bias), module in zip(ours, theirs):
        np.testing.assert_allclose(weight, module.weight.grad.numpy(), rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(bias, module.bias.grad.numpy(), rtol=1e-6, atol=1e-12)


def test_a_tie_for_the_max_is_named_where_the_central_difference_is_half_the_slope():
    net = small_cnn()
    x = np.zeros((13, 13))
    x[2:11, 2:11] = 1.0  # a flat block: the convolution's interior pixels are equal, every window a tie
    walk = ConvBackpropWalk(net, x.ravel(), TARGET, "cross_entropy")
    channel, row, col = 0, 4, 4  # window rows/cols 4–5, inside the block: the first of four equal maxima wins
    assert int(pool_winners(walk.a[1], 2)[channel, 2, 2]) == 0
    delta = walk.pixel_delta(1, channel, row, col)
    assert delta != 0.0 and walk.pixel_delta(1, channel, row + 1, col + 1) == 0.0
    assert walk.pixel_finite_difference(1, channel, row, col) == pytest.approx(delta / 2, rel=1e-4)
    assert "pixel (4, 5) ties with this one" in pixel_check_line(walk, 1, channel, row, col)
    x[5, 5] = 0.5  # the window's four pixels differ now: no words about a tie
    assert "ties" not in pixel_check_line(ConvBackpropWalk(net, x.ravel(), TARGET, "cross_entropy"), 1, 0, 4, 4)
