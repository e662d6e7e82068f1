"""The brush and the sheet, without a window: what every stroke is made of."""
import numpy as np
import pytest

from nnlab.ui.canvas.ink import InkSheet, stamp_segment


def test_a_segment_is_solid_inside_soft_at_the_edge_and_empty_outside():
    sheet = np.zeros((60, 60), np.float32)
    stamp_segment(sheet, (10, 30), (50, 30), radius=6)
    row = sheet[:, 30]  # across the stroke at x = 30.5
    assert row[30] == 1.0 and row[29] == 1.0
    assert 0.0 < row[36] < 1.0  # anti-aliased edge
    assert row[40] == 0.0 and row[20] == 0.0
    assert sheet[30, 2] == 0.0 and sheet[30, 57] == 0.0  # round caps end about a radius past the ends
    assert sheet[30, 4] > 0.5 and sheet[30, 55] > 0.5


def test_overlapping_strokes_do_not_darken_twice_and_erasing_removes_ink():
    sheet = InkSheet(64)
    sheet.draw_stroke([(10, 32), (54, 32)], radius=5)
    once = sheet.ink.copy()
    sheet.draw_stroke([(10, 32), (54, 32)], radius=5)
    np.testing.assert_array_equal(sheet.ink, once)
    sheet.draw_stroke([(32, 10), (32, 54)], radius=8, erase=True)
    assert sheet.ink[32, 32] == 0.0 and sheet.ink[32, 15] == 1.0


def test_undo_restores_each_earlier_state_and_image_darkens_the_paper():
    sheet = InkSheet(32)
    sheet.draw_stroke([(5, 5), (25, 5)], radius=3)
    first = sheet.ink.copy()
    sheet.draw_stroke([(5, 20), (25, 20)], radius=3)
    sheet.clear()
    assert sheet.is_blank
    assert sheet.undo() and sheet.ink[20, 15] == 1.0
    assert sheet.undo()
    np.testing.assert_array_equal(sheet.ink, first)
    assert sheet.undo() and sheet.is_blank and not sheet.undo()
    sheet.draw_stroke([(16, 16)], radius=4)
    assert sheet.image()[16, 16] == pytest.approx(0.0) and sheet.image()[0, 0] == 1.0


def test_a_photo_is_kept_whole_and_fitted_into_the_paper():
    sheet = InkSheet(20)
    photo = np.zeros((40, 80), np.float32)
    photo[:, 40:] = 1.0  # left half dark, right half light
    sheet.set_photo(photo)
    assert sheet.photo is not None and not sheet.is_blank
    assert sheet.paper_box() == (5, 0, 10, 20)  # 20 wide, 10 high, in the middle
    assert sheet.model_image() is sheet.photo and np.array_equal(sheet.photo, photo)  # no ink: the picture itself
    image = sheet.image()
    assert image[10, 2] < 0.1 and image[10, 17] > 0.9 and image[0, 2] == 1.0  # white paper around the picture
    sheet.draw_stroke([(15, 10)], radius=2)  # on the light half
    inked = sheet.model_image()  # with ink on it: averaged down to twice the sheet's size at most
    assert inked.shape == (20, 40) and inked[10, 30] < 0.1 and inked[10, 36] > 0.9 and inked[10, 5] < 0.1
    sheet.undo()
    sheet.undo()
    assert sheet.photo is None and sheet.paper_box() == (0, 0, 20, 20)
