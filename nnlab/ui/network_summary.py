"""The Training panel's summary line: the dataset, the network Start would train, and how long it has trained.

It reads the session (the dataset, the open network, its epochs) and the run settings (the widths and
the loss the next run asks for), and follows both by itself.
"""
from __future__ import annotations

from nnlab.engine.losses import DEFAULT_OUTPUT_ACTIVATION, check_predicts_numbers, output_units
from nnlab.lab.run_settings import RunSettings
from nnlab.lab.session import LabSession

from .widgets.training_panel import TrainingPanel


class NetworkSummary:
    def __init__(self, session: LabSession, settings: RunSettings, panel: TrainingPanel) -> None:
        self.session, self.settings, self.panel = session, settings, panel
        for name in ("hidden", "loss"):
            getattr(settings.events, name).connect(self.update)
        session.network_changed.connect(self.update)

    def update(self, *_) -> None:
        dataset = self.session.dataset
        if dataset is None:
            self.panel.set_summary("Choose a dataset.")
            return
        loss = self.settings.loss
        try:
            if dataset.is_regression:
                check_predicts_numbers(loss, self.output_activation(loss), f"{dataset.name}'s targets")
            widths = [dataset.n_features, *self.settings.hidden, output_units(loss, dataset.n_classes)]
        except ValueError as error:
            self.panel.set_summary(str(error))
            return
        arrows = " → ".join(map(str, widths))
        trained = self.session.epochs_trained
        answers = f"{dataset.n_classes} number{'s' * (dataset.n_classes != 1)} to predict " \
                  f"({', '.join(dataset.classes)})" if dataset.is_regression else \
            f"{dataset.n_classes} class{'es' * (dataset.n_classes != 1)}"
        if dataset.fixed_test is not None:  # the split's test share does not apply: say which rows it tests on
            answers += f"; test: its own {int(dataset.fixed_test.sum()):,}"
        self.panel.set_summary(f"{dataset.name}: {len(dataset):,} sample{'s' * (len(dataset) != 1)}, {answers}.\n"
                               f"Network {arrows}" + (f", trained {trained} epoch{'s' * (trained != 1)}." if trained else "."))

    def output_activation(self, loss: str) -> str:
        """The output activation Start would use: the network's own while its loss stays, else the loss's default."""
        network = self.session.network
        if network is not None and loss == self.session.loss:
            return network.layers[-1].activation
        return DEFAULT_OUTPUT_ACTIVATION[loss]
