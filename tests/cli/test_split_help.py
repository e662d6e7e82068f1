"""``nnlab train --help`` says what ``--split`` does to a set with its own test part (MNIST's official 10,000),
and the number it states is the one the split keeps."""
import numpy as np

from nnlab.cli import build_parser
from nnlab.data.builtin import BUILTIN_DATASETS, load_builtin
from nnlab.data.splits import split_dataset


def test_split_help_names_mnists_own_test_part():
    text = " ".join(build_parser().train_parser.format_help().split())
    assert "(default 70,15,15); mnist is tested on its own 10,000 whatever the test share" in text


def test_the_stated_test_part_is_the_one_every_split_keeps():
    mnist = load_builtin("mnist")
    for shares in [(0.70, 0.15, 0.15), (0.8, 0.2, 0.0), (0.5, 0.1, 0.4)]:
        parts = split_dataset(mnist, shares, seed=1)
        assert len(parts.test) == BUILTIN_DATASETS["mnist"].own_test_rows == int(np.sum(mnist.fixed_test))
        assert len(parts.train) + len(parts.validation) == 60_000
