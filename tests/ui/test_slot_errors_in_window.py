"""A view's slot that raises a ValueError while the session tells it about a new dataset ends in the
window's one sentence under the command's title — no crash — and the views after it are still told."""


def test_a_failing_slot_is_one_sentence_and_the_later_views_are_told(window, errors):
    told = []

    def refuse(dataset):
        raise ValueError(f"this view cannot show {dataset.name}")

    window.session.dataset_changed.connect(refuse)
    window.session.dataset_changed.connect(lambda dataset: told.append(dataset.name))
    assert not window.choose_dataset("circles")
    assert errors == [("Could not open the dataset", "this view cannot show circles")]
    assert told == ["circles"]
