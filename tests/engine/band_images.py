"""Small image sets for CNN tests, and gradients laid out flat: three classes of 8×8 images, each a bright band in its own rows, with noise."""
import numpy as np

SIDE = 8


def images(n: int, seed: int):
    """(n, 64) pictures and their labels 0–2: class k lights rows 2k+1 and 2k+2."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    pictures = rng.random((n, SIDE, SIDE)) * 0.3
    for i, label in enumerate(labels):
        pictures[i, 2 * label + 1:2 * label + 3, :] += 0.7
    return pictures.reshape(n, -1), labels


def as_flat_gradients(net, gradients) -> np.ndarray:
    """``Network.gradients``' per-layer arrays laid out as the network's one flat gradient vector."""
    twin = net.copy()
    for target, source in zip(twin.grad_weights, gradients.weights):
        target[...] = source
    for target, source in zip(twin.grad_biases, gradients.biases):
        target[...] = source
    return twin.grads
