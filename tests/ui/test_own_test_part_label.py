"""The Training panel's split row is truthful for a set with its own test part: MNIST tests on its official
10,000 whatever the shares, so the panel says so instead of "test 15 %"."""
from nnlab.data.builtin import BUILTIN_DATASETS
from nnlab.lab.run_settings import RunSettings
from nnlab.ui.widgets.training_panel import TrainingPanel


def test_the_test_label_names_mnists_own_test_part_and_the_share_for_other_sets(qtbot):
    settings = RunSettings()
    panel = TrainingPanel(settings)
    qtbot.addWidget(panel)
    assert panel.test_label.text() == "test 15 %"
    settings.dataset = "mnist"
    assert panel.test_label.text() == "test 10k"
    assert panel.test_label.toolTip() == ("mnist is tested on its own 10,000 samples whatever the shares; train and "
                                          "validation share the rest in the proportion of theirs")
    settings.validation_percent = 25  # the shares still move train and validation; the test part stays
    assert panel.test_label.text() == "test 10k"
    settings.dataset = "digits"
    assert panel.test_label.text() == "test 5 %" and panel.test_label.toolTip() == ""


def test_the_split_row_is_no_wider_for_mnist(qtbot):
    settings = RunSettings()
    panel = TrainingPanel(settings)
    qtbot.addWidget(panel)
    widths = {}
    for name in ("digits", "mnist"):
        settings.dataset = name
        widths[name] = panel.minimumSizeHint().width()
    assert widths["mnist"] <= widths["digits"]


def test_only_mnist_has_its_own_test_part():
    assert {name for name, info in BUILTIN_DATASETS.items() if info.own_test_rows} == {"mnist"}
