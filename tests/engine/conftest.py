"""Networks several engine tests share."""
import numpy as np
import pytest

from nnlab.engine.network import LayerSpec, Network


@pytest.fixture
def new_dog_cat():
    """Builds the seed texts' dog/cat network (4 inputs, 3 ReLU, 2 softmax; float64), fresh each call."""
    def build() -> Network:
        net = Network(4, [LayerSpec(3, "relu"), LayerSpec(2, "softmax")], dtype=np.float64)
        net.weights[0][...] = [[0.6, 0.4, 0.5, 0.3], [0.2, 0.7, 0.3, 0.6], [0.3, 0.5, 0.2, 0.8]]
        net.weights[1][...] = [[0.8, 0.6, 0.3], [0.3, 0.7, 0.9]]
        net.biases[0][...] = [-0.4, -0.3, -0.5]
        net.biases[1][...] = [-0.2, -0.3]
        return net
    return build


@pytest.fixture
def dog_cat(new_dog_cat):
    return new_dog_cat()
