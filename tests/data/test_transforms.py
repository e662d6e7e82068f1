"""Drawing → model input: the MNIST recipe, faces, resize and the dispatcher."""
from pathlib import Path

import numpy as np
import pytest

from nnlab.data.transforms import (as_grey, faces_transform, mnist_transform, resize_image,
                                   resize_transform, to_model_input)

MNIST_NPZ = Path(__file__).resolve().parents[2] / ".." / "shared" / "mnist" / "mnist.npz"


def centre_of_mass(image):
    total = image.sum()
    rows, cols = np.arange(image.shape[0]), np.arange(image.shape[1])
    return image.sum(axis=1) @ rows / total, image.sum(axis=0) @ cols / total


def ink_box(image, threshold=0.1):
    rows = np.flatnonzero((image > threshold).any(axis=1))
    cols = np.flatnonzero((image > threshold).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def big_offcentre_seven():
    """280×280 white canvas with a thick black '7' (bar + diagonal) near the top-right corner."""
    canvas = np.ones((280, 280), dtype=np.float32)
    canvas[20:45, 90:270] = 0.0  # top bar, 180 px wide
    yy, xx = np.mgrid[0:280, 0:280]
    diagonal = (np.abs((xx - 270) + 0.45 * (yy - 20)) < 14) & (yy >= 20) & (yy < 270)
    canvas[diagonal] = 0.0
    return canvas


def test_offcentre_oversized_digit_is_boxed_to_20_and_centred():
    out = mnist_transform(big_offcentre_seven())
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() == pytest.approx(1.0)
    cy, cx = centre_of_mass(out)
    assert abs(cy - 14) <= 0.5 + 1e-6 and abs(cx - 14) <= 0.5 + 1e-6
    assert max(ink_box(out)) in (19, 20, 21)
    assert ink_box(out)[0] == max(ink_box(out))  # the 7 is taller than wide: height is the long side


def test_aspect_ratio_is_kept():
    canvas = np.zeros((280, 280), dtype=np.float32)
    canvas[40:240, 130:150] = 1.0  # a "1": 200 tall, 20 wide → 20 × 2
    height, width = ink_box(mnist_transform(canvas))
    assert height == 20 and width in (2, 3)


def test_inverted_polarity_gives_the_same_result():
    dark_on_light = big_offcentre_seven()
    assert np.allclose(mnist_transform(dark_on_light), mnist_transform(1.0 - dark_on_light), atol=1e-5)


def test_uint8_and_float_inputs_agree():
    canvas = big_offcentre_seven()
    as_uint8 = (canvas * 255).astype(np.uint8)
    assert np.allclose(mnist_transform(canvas), mnist_transform(as_uint8), atol=1e-5)


def test_thin_strokes_survive_shrinking():
    canvas = np.zeros((280, 280), dtype=np.float32)
    canvas[30:250, 100] = 1.0  # 1-px line, shrunk 11×
    canvas[30, 100:200] = 1.0
    out = mnist_transform(canvas)
    assert out.max() == pytest.approx(1.0) and (out > 0.3).sum() >= 20


def test_faint_noise_does_not_widen_the_box():
    canvas = np.zeros((280, 280), dtype=np.float32)
    canvas[60:220, 120:160] = 1.0
    noisy = canvas.copy()
    noisy[5, 5] = noisy[270, 270] = 0.05  # specks far away
    assert np.allclose(mnist_transform(noisy), mnist_transform(canvas), atol=1e-6)


def test_grey_paper_background_is_removed():
    photo = np.full((100, 100), 0.8, dtype=np.float32)  # grey paper, grey pencil
    photo[20:80, 45:55] = 0.3
    out = mnist_transform(photo)
    assert out.max() == pytest.approx(1.0)
    assert out[0, 0] == 0.0 and (out == 0).mean() > 0.5


@pytest.mark.parametrize("blank", [np.zeros((280, 280)), np.ones((280, 280)), np.full((50, 60), 0.5),
                                   np.zeros((1, 1), dtype=np.uint8)])
def test_blank_input_gives_zeros(blank):
    out = mnist_transform(blank)
    assert out.shape == (28, 28) and not out.any()


def test_mnist_like_input_stays_itself():
    digit = np.zeros((28, 28), dtype=np.float32)
    digit[4:24, 11:17] = 1.0  # a 20×6 bar whose centre of mass is already (13.5, 13.5)
    digit[4:6, 8:11] = 1.0
    out = mnist_transform(digit)
    shift = np.array(centre_of_mass(out)) - np.array(centre_of_mass(digit))
    assert np.all(np.abs(shift) <= 1.0)
    realigned = np.roll(digit, tuple(int(round(s)) for s in shift), axis=(0, 1))
    assert np.abs(out - realigned).max() < 1e-5


@pytest.mark.skipif(not MNIST_NPZ.exists(), reason="real MNIST digits not found at ../shared/mnist/mnist.npz")
def test_real_mnist_digits_are_nearly_unchanged():
    with np.load(MNIST_NPZ) as data:
        digits = data["x_test"][:200]
    correlations = [np.corrcoef(mnist_transform(d).ravel(), d.ravel())[0, 1] for d in digits]
    # Most are returned exactly; a few thin '1's move by one pixel, which lowers their correlation.
    assert np.median(correlations) > 0.99 and np.mean(correlations) > 0.95


def test_mnist_transform_costs_a_few_sorts_of_the_canvas(time_ratio):
    """The canvas is transformed on every stroke: 0.9 ms for a 280×280 drawing, 3.6× sorting its
    78,400 pixels once (np.sort, timed beside it). Twenty sorts' worth would no longer feel live."""
    canvas = big_offcentre_seven()
    ratio = time_ratio(lambda: mnist_transform(canvas), lambda: np.sort(canvas, axis=None), repeats=10)
    assert ratio < 20, f"the transform took {ratio:.0f}× as long as sorting the canvas's pixels"


def test_a_phone_sized_photo_costs_little_more_than_reading_its_pixels(time_ratio):
    """A 2800×2800 photo of squared paper is shrunk before the background is removed: without
    that, removing it took ~90× as long as reading the pixels (0.4 s; 1 s for 3000×2215)."""
    small = big_offcentre_seven()
    small[::20] = np.minimum(small[::20], 0.7)  # grid lines
    small[:, ::20] = np.minimum(small[:, ::20], 0.7)
    photo = np.kron(small, np.ones((10, 10), np.float32))

    assert np.allclose(mnist_transform(photo), mnist_transform(small), atol=1e-5)
    ratio = time_ratio(lambda: mnist_transform(photo), lambda: as_grey(photo), rounds=3)
    assert ratio < 20, f"the transform took {ratio:.0f}× as long as reading the photo's pixels"


def test_resize_area_average_and_bilinear():
    image = np.arange(16, dtype=np.float32).reshape(4, 4)
    assert np.allclose(resize_image(image, (2, 2)), [[2.5, 4.5], [10.5, 12.5]])  # 2×2 block means
    assert np.array_equal(resize_image(image, (4, 4)), image)
    up = resize_image(np.array([[0.0, 1.0]]), (1, 4))
    assert np.allclose(up, [[0.0, 0.25, 0.75, 1.0]])
    odd = resize_image(np.ones((7, 5)), (3, 2))  # non-integer factors still preserve a constant
    assert np.allclose(odd, 1.0)


def test_faces_centre_crops_and_keeps_polarity():
    photo = np.zeros((100, 60), dtype=np.float32)
    photo[20:80, :] = 0.8  # the centred 60×60 square is bright; top/bottom strips dark
    out = faces_transform(photo)
    assert out.shape == (25, 25) and np.allclose(out, 0.8)
    drawing = np.ones((50, 50), dtype=np.float32)
    drawing[20:30, 20:30] = 0.0  # dark strokes on white stay dark on white
    out = faces_transform(drawing)
    assert out[0, 0] == pytest.approx(1.0) and out[12, 12] == pytest.approx(0.0)


def test_as_grey_handles_colour_and_alpha():
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[0, 0] = (255, 0, 0, 255)
    rgba[0, 1] = (0, 0, 0, 0)  # transparent → white
    grey = as_grey(rgba)
    assert grey[0, 0] == pytest.approx(0.299, abs=1e-6) and grey[0, 1] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="shape"):
        as_grey(np.zeros((2, 2, 2)))


def test_resize_transform_stretches_to_shape():
    out = resize_transform(np.full((30, 90), 128, dtype=np.uint8), (10, 12))
    assert out.shape == (10, 12) and np.allclose(out, 128 / 255)


def test_to_model_input_dispatches():
    drawing = big_offcentre_seven()
    row = to_model_input(drawing, "mnist", (28, 28))
    assert row.shape == (784,) and row.dtype == np.float32
    assert np.array_equal(row, mnist_transform(drawing).ravel())
    assert to_model_input(drawing, "faces", (25, 25)).shape == (625,)
    assert to_model_input(drawing, "resize", (8, 6)).shape == (48,)
    assert np.array_equal(to_model_input([1, 2, 3], "none", (3,)), np.array([1, 2, 3], np.float32))
    with pytest.raises(ValueError, match="unknown preprocess 'sepia'"):
        to_model_input(drawing, "sepia", (28, 28))
    with pytest.raises(ValueError, match="expected 4 features"):
        to_model_input([1, 2, 3], "none", (4,))
    with pytest.raises(ValueError, match="784"):
        to_model_input(drawing, "mnist", (10, 10))
