"""NN Lab's engine: dense networks, their training and metrics, in NumPy alone."""
from .activations import ACTIVATIONS
from .losses import LOSSES
from .metrics import Evaluation, evaluate
from .network import ForwardTrace, Gradients, LayerSpec, Network, outputs_to_classes, targets_for
from .optimizers import OPTIMIZERS
from .trainer import BatchProgress, BlowUp, EpochResult, TrainConfig, Trainer, TrainingEnded

__all__ = [
    "ACTIVATIONS", "LOSSES", "OPTIMIZERS", "Evaluation", "evaluate", "ForwardTrace", "Gradients",
    "LayerSpec", "Network", "outputs_to_classes", "targets_for", "BatchProgress", "BlowUp", "EpochResult",
    "TrainConfig", "Trainer", "TrainingEnded",
]
