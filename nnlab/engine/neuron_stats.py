"""What a neuron does across a whole set of samples: its strongest samples, whether it is dead.

Used by the inspector on a snapshot network, so it must be cheap: one forward pass
per layer asked for, in chunks, stopping at that layer.
"""
from __future__ import annotations

import numpy as np

from .network import Network
from .scaled_bytes import Rows


def layer_activations(network: Network, x: Rows, layer: int, chunk_size: int = 2048) -> np.ndarray:
    """Activations (n_samples, sizes[layer]) of sizes-layer ``layer`` for inputs x: (n_samples, n_features).

    x may be ``ScaledBytes``: it is scaled a chunk at a time.
    """
    if not 0 <= layer < len(network.sizes):
        raise ValueError(f"there is no layer {layer}: the network has layers 0 to {len(network.sizes) - 1}")
    if layer == 0:
        return np.asarray(x, dtype=network.dtype)
    out = np.empty((len(x), network.sizes[layer]), dtype=network.dtype)
    for start in range(0, len(x), chunk_size):
        a = np.asarray(x[start:start + chunk_size], dtype=network.dtype)
        for index, _, a in network.forward_layers(a):
            if index == layer - 1:
                break
        out[start:start + chunk_size] = a
    return out


def top_samples(values: np.ndarray, k: int = 9) -> np.ndarray:
    """Indices of the ``k`` largest ``values`` (n_samples,), largest first."""
    values = np.asarray(values)
    k = min(k, len(values))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    picked = np.argpartition(-values, k - 1)[:k]
    return picked[np.argsort(-values[picked], kind="stable")]


def dead_units(activations: np.ndarray) -> np.ndarray:
    """(units,) True where a unit is zero for every sample (a ReLU that never fires)."""
    activations = np.asarray(activations)
    if len(activations) == 0:
        return np.zeros(activations.shape[1:], dtype=bool)
    return np.all(activations <= 0, axis=0)
