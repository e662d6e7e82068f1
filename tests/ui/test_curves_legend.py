"""The curves' legend at 1280×720: four 9-pt rows of long names were as tall as the loss plot itself (106 px over
a 105-px plot) and hid the curves and the best epoch's label; two columns of short names leave most of it clear."""


def test_the_legend_takes_at_most_half_the_loss_plots_height_at_1280x720(make_window, qtbot):
    window = make_window("digits", (1280, 720))
    qtbot.wait(20)
    plot = window.plots.plots["loss"].getPlotItem()
    legend_height = plot.legend.sceneBoundingRect().height()
    plot_height = plot.getViewBox().sceneBoundingRect().height()
    assert plot_height > 60  # the cramped case this is about, not a collapsed plot
    assert legend_height <= 0.5 * plot_height, (legend_height, plot_height)
    names = [label.text for _, label in plot.legend.items]
    assert names == ["train, per batch", "train, smoothed", "train, epoch mean", "validation"]
