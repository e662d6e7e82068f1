"""Networks with convolution and pooling layers: shapes, gradients by central differences, the training step
against ``Network.gradients``, frozen layers, dropout, penalties, and the trainer state carried on bit for bit."""
import numpy as np
import pytest

from nnlab.engine.layers import ConvSpec, FlattenSpec, PoolSpec, layer_word, parse_layer_words
from nnlab.engine.network import LayerSpec, Network, validate_architecture
from nnlab.engine.trainer import BatchProgress, EpochResult, TrainConfig, Trainer

from .band_images import SIDE, as_flat_gradients, images


def small_cnn(dtype=np.float64, activation="tanh", frozen_conv=False, dropout=0.0, seed=1) -> Network:
    """conv 3×3 → max-pool → conv 3×3 valid → avg-pool → dense → softmax, on 8×8 images."""
    layers = [ConvSpec(3, 3, activation=activation, frozen=frozen_conv), PoolSpec(2),
              ConvSpec(4, 3, padding="valid", activation="relu"), PoolSpec(2, "avgpool2d"),
              LayerSpec(5, "sigmoid", dropout=dropout), LayerSpec(3, "softmax")]
    return Network((SIDE, SIDE), layers, dtype=dtype, seed=seed)


def test_shapes_flatten_and_parameter_layout():
    net = small_cnn()
    assert [spec.kind for spec in net.layers] == ["conv2d", "maxpool2d", "conv2d", "avgpool2d", "flatten", "dense",
                                                  "dense"]
    assert net.input_shape == (1, SIDE, SIDE) and net.input_size == 64
    assert [s.output_shape for s in net.shapes] == [(3, 8, 8), (3, 4, 4), (4, 2, 2), (4, 1, 1), (4,), (5,), (3,)]
    assert [w.shape for w in net.weights] == [(3, 1, 3, 3), (0,), (4, 3, 3, 3), (0,), (0,), (5, 4), (3, 5)]
    assert [b.shape for b in net.biases] == [(3,), (0,), (4,), (0,), (0,), (5,), (3,)]
    assert net.n_parameters == 3 * 10 + 4 * 28 + 5 * 5 + 3 * 6
    for weight in net.weights:  # views into params: writing one writes the flat vector
        assert weight.size == 0 or np.shares_memory(weight, net.params)
    assert net.sizes == [64, 192, 48, 16, 4, 4, 5, 3]
    twin = net.copy()
    assert twin.layers == net.layers and np.array_equal(twin.params, net.params)


def test_the_network_writes_the_flatten_in_and_a_dense_network_is_unchanged():
    dense = [LayerSpec(4), LayerSpec(2, "softmax")]
    assert Network(9, dense).layers == dense and Network(9, dense).is_dense
    assert Network((3, 3), dense).input_shape == (9,)
    net = Network((6, 6), [ConvSpec(2, 3), LayerSpec(2, "softmax")])
    assert net.layers == [ConvSpec(2, 3), FlattenSpec(), LayerSpec(2, "softmax")]


@pytest.mark.parametrize("layers,input_shape,words", [
    ([ConvSpec(2, 7), LayerSpec(2)], (5, 5), "layer 1 has a 7×7 kernel, larger than its 5×5 input"),
    ([ConvSpec(2, 3), LayerSpec(2)], (10,), "layer 1 (conv2x3) needs images"),
    ([ConvSpec(2, 3), PoolSpec(8), LayerSpec(2)], (6, 6), "would leave nothing"),
    ([ConvSpec(2, 4), LayerSpec(2)], (6, 6), "padding 'same' needs an odd one"),
    ([ConvSpec(2, 3, stride=3), LayerSpec(2)], (6, 6), "steps 1 or 2 pixels"),
    ([LayerSpec(4), ConvSpec(2, 3), LayerSpec(2)], (6, 6), "layer 2 (conv2x3) needs (channels, height, width) maps, and the dense"),
    ([ConvSpec(2, 3), PoolSpec(2)], (6, 6), "the output layer must be a dense layer"),
    ([ConvSpec(2, 3, padding="full"), LayerSpec(2)], (6, 6), "padding 'full'"),
])
def test_an_impossible_layer_is_one_sentence(layers, input_shape, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")) as error:
        validate_architecture(input_shape, layers)
    assert "\n" not in str(error.value)


def test_layer_words_read_and_write():
    specs = parse_layer_words("conv8x5, maxpool2,conv16x3s2valid,avgpool3,64", activation="tanh", dropout=0.1)
    assert specs == [ConvSpec(8, 5, 1, "same", "tanh"), PoolSpec(2), ConvSpec(16, 3, 2, "valid", "tanh"),
                     PoolSpec(3, "avgpool2d"), LayerSpec(64, "tanh", 0.1)]
    assert [layer_word(spec) for spec in specs] == ["conv8x5", "maxpool2", "conv16x3s2valid", "avgpool3", "64"]
    assert parse_layer_words("") == []
    for bad in ("conv8", "pool2", "conv8x5x", "64,,32", "-3", "conv8x5s"):
        with pytest.raises(ValueError, match="is not a layer|empty layer"):
            parse_layer_words(bad)


def numerical_gradient(net: Network, x, targets, loss: str, l1: float, l2: float) -> np.ndarray:
    eps, grads = 1e-6, np.zeros_like(net.params)
    for k in range(net.params.size):
        values = []
        for step in (eps, -eps):
            twin = net.copy()
            twin.params[k] += step
            values.append(twin.gradients(x, targets, loss, l1, l2).loss)
        grads[k] = (values[0] - values[1]) / (2 * eps)
    return grads


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "leaky_relu"])
def test_a_whole_cnns_gradients_match_central_differences(activation):
    net = small_cnn(activation=activation)
    x, labels = images(5, 2)
    targets = np.eye(3)[labels]
    analytic = as_flat_gradients(net, net.gradients(x, targets, "cross_entropy", l1=0.001, l2=0.01))
    numeric = numerical_gradient(net, x, targets, "cross_entropy", 0.001, 0.01)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("frozen_conv", [False, True])
def test_the_training_step_is_network_gradients(dtype, frozen_conv):
    """One SGD step of the trainer's fused CNN step moves every weight by −η·(Network.gradients)."""
    net = small_cnn(dtype, activation="relu", frozen_conv=frozen_conv)
    x, labels = images(16, 3)
    before = net.copy()
    config = TrainConfig(optimizer="sgd", learning_rate=0.5, batch_size=16, epochs=1, seed=0, l2=0.01)
    trainer = Trainer(net, x, labels, config)
    next(trainer.run())  # one batch: the whole set
    expected = as_flat_gradients(before, before.gradients(x, np.eye(3)[labels], "cross_entropy", l2=0.01))
    moved = (before.params - net.params) / 0.5
    tolerance = dict(rtol=2e-3, atol=2e-5) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-12)
    start, stop = before.layer_slices()[0]
    if frozen_conv:
        assert np.array_equal(net.params[start:stop], before.params[start:stop])
        np.testing.assert_allclose(moved[stop:], expected[stop:], **tolerance)
    else:
        np.testing.assert_allclose(moved, expected, **tolerance)


def test_a_cnn_learns_and_dropout_draws_from_the_trainer():
    x, labels = images(240, 4)
    x_val, y_val = images(60, 5)
    net = small_cnn(np.float32, activation="relu", dropout=0.2)
    trainer = Trainer(net, x, labels, TrainConfig(epochs=15, batch_size=16, learning_rate=0.01, seed=2), x_val,
                      y_val)
    results = [r for r in trainer.run() if isinstance(r, EpochResult)]
    assert results[-1].validation.accuracy >= 0.9
    again = small_cnn(np.float32, activation="relu", dropout=0.2)
    trainer = Trainer(again, x, labels, TrainConfig(epochs=15, batch_size=16, learning_rate=0.01, seed=2), x_val,
                      y_val)
    for _ in trainer.run():
        pass
    assert np.array_equal(again.params, net.params)  # the same seed, the same run, bit for bit


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_cnn_run_carries_on_bit_for_bit_from_its_state(optimizer, dtype):
    x, labels = images(50, 6)
    x_val, y_val = images(20, 7)

    def trainer_for(params=None, epochs=3):
        net = small_cnn(dtype, activation="relu", dropout=0.1)
        if params is not None:
            net.params[...] = params
        config = TrainConfig(optimizer=optimizer, learning_rate=0.02, batch_size=8, epochs=epochs, seed=5, l1=1e-4)
        return Trainer(net, x.copy(), labels.copy(), config, x_val, y_val)

    straight = trainer_for()
    records = [r for r in straight.run() if isinstance(r, BatchProgress)]
    first = trainer_for(epochs=3)
    run = first.run(should_stop=lambda: first.epochs_so_far >= 1.5)
    first_records = [r for r in run if isinstance(r, BatchProgress)]
    second = trainer_for(first.network.params, epochs=2)
    second.restore(first.state())
    rest = [r for r in second.run() if isinstance(r, BatchProgress)]
    assert np.array_equal(second.network.params.view(np.uint8), straight.network.params.view(np.uint8))
    assert [r.loss for r in first_records + rest] == [r.loss for r in records]
    assert second.optimizer.state().arrays.keys() == straight.optimizer.state().arrays.keys()
    for name, value in straight.optimizer.state().arrays.items():
        assert np.array_equal(second.optimizer.state().arrays[name], value)


def test_every_forward_path_agrees_for_a_cnn():
    net = small_cnn(np.float64)
    x, _ = images(7, 8)
    out = net.forward(x)
    assert np.allclose(net.forward(x, chunk_size=3), out, rtol=0, atol=1e-15)
    assert np.allclose(net.forward(x.reshape(7, 1, SIDE, SIDE)), out, rtol=0, atol=1e-15)
    for i in range(7):
        assert np.allclose(net.predict_one(x[i]), out[i], rtol=0, atol=1e-15)
    trace = net.forward_trace(x)
    assert trace.activations[0].shape == (7, 1, SIDE, SIDE)
    assert trace.pre_activations[0].shape == (7, 3, SIDE, SIDE)  # z per feature map
    assert np.array_equal(trace.activations[1], np.tanh(trace.pre_activations[0]))
    assert np.array_equal(trace.output, out)
    z, a = net.forward_with_logits(x)
    assert np.array_equal(a, out) and np.array_equal(z, trace.pre_activations[-1])
    layers = list(net.forward_layers(x[0]))  # one sample: its maps, without the batch axis
    assert layers[0][1].shape == (3, SIDE, SIDE) and np.allclose(layers[-1][2], out[0], rtol=0, atol=1e-15)


def test_float32_and_float64_agree():
    wide = small_cnn(np.float64)
    narrow = Network((SIDE, SIDE), wide.layers, dtype=np.float32)
    narrow.params[...] = wide.params
    x, _ = images(9, 9)
    assert narrow.forward(x).dtype == np.float32
    np.testing.assert_allclose(narrow.forward(x), wide.forward(x), rtol=1e-5, atol=1e-6)


def test_evaluating_a_cnn_keeps_its_feature_maps_in_chunks():
    """4,096 rows at a time, a LeNet's maps took ~190 MiB for 4,000 digits (and its kernels kept them)."""
    import tracemalloc

    from nnlab.engine.metrics import evaluate

    net = Network((28, 28), [*parse_layer_words("conv8x5,maxpool2,conv16x5,maxpool2,64"), LayerSpec(10, "softmax")])
    x = np.random.default_rng(0).random((4000, 784)).astype(np.float32)
    y = np.arange(4000) % 10
    tracemalloc.start()
    try:
        evaluate(net, x, y, "cross_entropy", 10)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 2**20


def test_the_maps_of_all_layers_together_are_limited():
    with pytest.raises(ValueError, match="would hold over 16,777,216 values a sample in their maps, the limit"):
        validate_architecture((1, 1024, 1024), [ConvSpec(1, 1)] * 20 + [LayerSpec(2)])
    validate_architecture((1, 1024, 1024), [ConvSpec(1, 1)] * 4 + [LayerSpec(2)])
