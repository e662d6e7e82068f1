"""The window's words fit what they describe: one sample is "1 sample", a network that predicts numbers has no
classes (the editor's output hint, the top samples' tooltips), and an exported plot is named after what it shows."""
import pytest


SIZES = [(1280, 800), (1280, 720)]


@pytest.fixture(autouse=True)
def no_error_shown(errors):
    yield
    assert errors == []


def summary(window) -> str:
    return window.panel.summary.text()


@pytest.mark.parametrize("size", SIZES)
def test_a_lesson_of_one_sample_says_one_sample(make_window, size):
    window = make_window(None, size)
    inspector = window.inspector
    assert inspector.open_lesson(inspector.lessons.lesson("04-dog-cat"))
    assert ": 1 sample, 2 classes." in summary(window)
    assert inspector.open_lesson(inspector.lessons.lesson("03-single-neuron"))  # one output: one class named
    assert ": 1 sample, 1 class." in summary(window)
    assert window.choose_dataset("xor")
    assert ": 400 samples, 2 classes." in summary(window)


@pytest.mark.parametrize("size", SIZES)
def test_the_output_hint_says_numbers_for_a_network_that_predicts_numbers(make_window, size):
    window = make_window("curve", size)
    editor = window.editor
    editor.select_layer(len(window.session.network.sizes) - 1)
    assert editor.toolbar.shown("hint")
    assert editor.toolbar.hint.text() == "one unit per number to predict: width follows the dataset"
    assert window.choose_dataset("xor")
    editor.select_layer(len(window.session.network.sizes) - 1)
    assert editor.toolbar.hint.text() == "one unit per class: width follows the dataset"


@pytest.mark.parametrize("size", SIZES)
def test_the_top_samples_of_a_curve_neuron_show_their_targets_not_a_class(make_window, size):
    window = make_window("curve", size)
    window.docks["inspector"].raise_()
    inspector = window.inspector
    inspector.show_tab("neuron")
    inspector.refresh()
    inspector.finish_stats()
    assert inspector.neuron_view.weights.caption.text().startswith("1 incoming weight as bars")  # from x alone
    dataset, top = window.session.dataset, inspector.neuron_view.top
    tips = [cell.toolTip() for cell in top.cells if cell.toolTip()]
    assert len(tips) == 9
    name = dataset.classes[0]
    assert all(tip.startswith(f"{name} = ") and "class" not in tip for tip in tips), tips
    shown = [float(tip.split(";")[0].split(" = ")[1].replace("−", "-")) for tip in tips]  # a typeset minus
    assert all(abs(dataset.targets[:, 0] - value).min() < 5e-3 for value in shown)  # each is some sample's target


@pytest.mark.parametrize("dataset, second", [("curve", "mean-absolute-error"), ("xor", "accuracy")])
def test_exported_curve_pictures_are_named_after_what_they_show(make_window, tmp_path, monkeypatch, dataset,
                                                                second):
    window = make_window(dataset, SIZES[1])
    window.docks["plots"].raise_()
    monkeypatch.setattr(window.questions, "ask_save_path", lambda title, filters: str(tmp_path / "run.png"))
    window.saving.export_plots_png()
    assert sorted(path.name for path in tmp_path.glob("*.png")) == sorted(["run-loss.png", f"run-{second}.png"])
