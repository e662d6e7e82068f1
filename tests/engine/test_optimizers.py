"""Optimizer updates against numbers worked by hand (and PyTorch's, where it is installed)."""
import numpy as np
import pytest

from nnlab.engine.optimizers import Adam, Momentum, SGD, make_optimizer

GRADIENTS = [0.2, 0.1, -0.3]


def run(optimizer, start=0.5):
    w = np.array([start], dtype=np.float64)
    path = []
    for g in GRADIENTS:
        optimizer.step(w, np.array([g]))
        path.append(float(w[0]))
    return path


def test_sgd_by_hand():
    # w ← w − η·g: 0.5 − 0.1·0.2 = 0.48, − 0.1·0.1 = 0.47, + 0.1·0.3 = 0.50
    np.testing.assert_allclose(run(SGD(0.1)), [0.48, 0.47, 0.50], rtol=0, atol=1e-15)


def test_momentum_by_hand():
    # v = 0.2 → w = 0.48;  v = 0.9·0.2 + 0.1 = 0.28 → w = 0.452;  v = 0.252 − 0.3 = −0.048 → w = 0.4568
    np.testing.assert_allclose(run(Momentum(0.1, 0.9)), [0.48, 0.452, 0.4568], rtol=0, atol=1e-15)


def test_adam_by_hand():
    # step 1: m̂ = g, v̂ = g², so w moves by η·g/(|g| + ε): 0.5 − 0.1·0.2/0.20000001 = 0.400000005
    # step 2: m = 0.028, v = 4.996e-5; m̂ = 0.147368…, v̂ = 0.0249925…; w = 0.306782047…
    np.testing.assert_allclose(run(Adam(0.1)), [0.400000005, 0.3067820470153658, 0.31497972642103483],
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_matches_pytorch_on_a_vector(name):
    torch = pytest.importorskip("torch", reason="PyTorch is only an optional cross-check")
    rng = np.random.default_rng(0)
    start = rng.normal(size=50)
    grads = rng.normal(size=(20, 50))
    ours = start.copy()
    optimizer = make_optimizer(name, 0.01, **({"momentum": 0.9} if name == "momentum" else {}))
    theirs = torch.tensor(start, requires_grad=True)
    reference = {"sgd": lambda p: torch.optim.SGD(p, lr=0.01),
                 "momentum": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
                 "adam": lambda p: torch.optim.Adam(p, lr=0.01)}[name]([theirs])
    for g in grads:
        optimizer.step(ours, g.copy())
        theirs.grad = torch.tensor(g)
        reference.step()
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_segments_leave_everything_else_untouched():
    params, grads = np.ones(10), np.full(10, 0.5)
    Adam(0.1).step(params, grads, segments=[(0, 3), (7, 10)])
    assert np.all(params[3:7] == 1.0) and np.all(params[:3] < 1.0) and np.all(params[7:] < 1.0)


def test_learning_rate_can_change_between_steps():
    optimizer = SGD(0.1)
    w = np.array([1.0])
    optimizer.step(w, np.array([1.0]))
    optimizer.learning_rate = 0.5
    optimizer.step(w, np.array([1.0]))
    assert w[0] == pytest.approx(1.0 - 0.1 - 0.5)


@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), float("inf"), "0.1"])
def test_bad_learning_rate_is_refused_with_a_message(bad):
    with pytest.raises(ValueError, match="learning rate must be a number above 0"):
        SGD(bad)


def test_unknown_optimizer_names_the_choices():
    with pytest.raises(ValueError, match="sgd, momentum, adam"):
        make_optimizer("rmsprop", 0.1)


def test_adam_flushes_values_that_would_turn_subnormal():
    params = np.zeros(4, dtype=np.float32)
    grads = np.array([1e-3, 0, 0, 0], dtype=np.float32)
    adam = Adam(1e-3)
    adam.step(params, grads)
    grads[:] = 0
    for _ in range(800):  # without flushing, m would be ~1e-41 by now: subnormal
        adam.step(params, grads)
    tiny = np.finfo(np.float32).tiny
    stored = adam._scaled_m
    assert not np.any((stored != 0) & (np.abs(stored) < tiny)), "subnormal first moments left behind"
