"""An optimizer's state as plain data: restored into a fresh optimizer of the same kind it carries on bit for
bit; of another kind or length it is refused, and the optimizer stays as it was."""
import numpy as np
import pytest

from nnlab.engine.optimizers import OptimizerState, make_optimizer

KINDS = {"sgd": {}, "momentum": {"momentum": 0.8}, "adam": {}}


def gradients(n_steps: int, size: int = 6, dtype=np.float32) -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    return [rng.normal(size=size).astype(dtype) for _ in range(n_steps)]


def steps(optimizer, params: np.ndarray, grads: list[np.ndarray]) -> None:
    for g in grads:
        optimizer.step(params, g.copy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(KINDS))
def test_a_fresh_optimizer_restored_from_the_state_carries_on_bit_for_bit(name, dtype):
    grads = gradients(300, dtype=dtype)  # past 128 and 256 steps: the tiny-value flush counts steps too
    straight, params = make_optimizer(name, 0.01, **KINDS[name]), np.ones(6, dtype)
    steps(straight, params, grads)
    first, carried = make_optimizer(name, 0.01, **KINDS[name]), np.ones(6, dtype)
    steps(first, carried, grads[:100])
    state = OptimizerState.from_arrays(first.state().to_arrays())
    second = make_optimizer(name, 0.01, **KINDS[name])
    second.restore(state, like=carried)
    steps(second, carried, grads[100:])
    assert carried.tobytes() == params.tobytes()
    assert second.steps == straight.steps == 300


def test_without_the_state_a_fresh_optimizer_takes_other_steps():
    grads = gradients(20)
    straight, params = make_optimizer("adam", 0.01), np.ones(6, np.float32)
    steps(straight, params, grads)
    first, carried = make_optimizer("adam", 0.01), np.ones(6, np.float32)
    steps(first, carried, grads[:10])
    steps(make_optimizer("adam", 0.01), carried, grads[10:])
    assert carried.tobytes() != params.tobytes()


def test_the_state_holds_copies_and_names_its_numbers():
    adam, params = make_optimizer("adam", 0.02), np.ones(6, np.float32)
    assert adam.state().arrays == {} and adam.state().scalars["steps"] == 0  # nothing yet before a step
    steps(adam, params, gradients(3))
    state = adam.state()
    assert state.name == "adam" and state.learning_rate == 0.02
    assert state.scalars == {"steps": 3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
    assert sorted(state.arrays) == ["scaled_m", "scaled_v"]
    kept = state.arrays["scaled_m"].copy()
    steps(adam, params, gradients(1))
    assert state.arrays["scaled_m"].tobytes() == kept.tobytes()  # the optimizer's later steps leave it alone
    restored = make_optimizer("adam", 0.02)
    restored.restore(state)
    state.arrays["scaled_m"][...] = 0
    assert restored.state().arrays["scaled_m"].tobytes() == kept.tobytes()  # nor does a change to the state
    assert make_optimizer("momentum", 0.1, momentum=0.5).state().scalars == {"steps": 0, "momentum": 0.5}


@pytest.mark.parametrize("into, options, like, words", [
    ("sgd", {}, None, "the optimizer state is adam's, and this optimizer is sgd"),
    ("adam", {"beta1": 0.8}, None, "the optimizer state has beta1 0.9, and this optimizer 0.8"),
    ("adam", {}, np.ones(5, np.float32), "'scaled_m' holds 6 float32 numbers, and the network 5 float32"),
    ("adam", {}, np.ones(6, np.float64), "'scaled_m' holds 6 float32 numbers, and the network 6 float64"),
])
def test_a_state_of_another_kind_or_length_is_refused_and_changes_nothing(into, options, like, words):
    adam = make_optimizer("adam", 0.01)
    steps(adam, np.ones(6, np.float32), gradients(4))
    target = make_optimizer(into, 0.5, **options)
    before = target.state()
    with pytest.raises(ValueError, match=words):
        target.restore(adam.state(), like=like)
    after = target.state()
    assert (after.learning_rate, after.scalars, after.arrays) == (before.learning_rate, before.scalars, {})


def test_momentum_of_another_amount_is_refused():
    momentum = make_optimizer("momentum", 0.1, momentum=0.9)
    with pytest.raises(ValueError, match="has momentum 0.9, and this optimizer 0.5"):
        make_optimizer("momentum", 0.1, momentum=0.5).restore(momentum.state())


def test_a_forgotten_state_restores_a_fresh_optimizer():
    adam, params = make_optimizer("adam", 0.01), np.ones(6, np.float32)
    steps(adam, params, gradients(4))
    adam.forget()
    restored = make_optimizer("adam", 0.01)
    restored.restore(adam.state())
    assert restored.steps == 0 and restored.state().arrays == {}
