"""NN Lab's engine: dense and convolutional networks, their training and metrics, in NumPy alone."""
from .activations import ACTIVATIONS
from .layers import ConvSpec, FlattenSpec, PoolSpec
from .losses import LOSSES
from .metrics import Evaluation, RegressionEvaluation, evaluate
from .network import ForwardTrace, Gradients, LayerSpec, Network, targets_for
from .optimizers import OPTIMIZERS
from .outputs import class_probabilities, is_probability, is_regression, outputs_to_classes
from .trainer import Trainer
from .trainer_state import TrainerState
from .training_records import BatchProgress, BlowUp, EpochResult, TrainConfig, TrainingEnded

__all__ = [
    "ACTIVATIONS", "LOSSES", "OPTIMIZERS", "Evaluation", "RegressionEvaluation", "evaluate", "is_regression",
    "ForwardTrace", "Gradients", "LayerSpec", "ConvSpec", "PoolSpec", "FlattenSpec", "Network", "targets_for", "BatchProgress",
    "class_probabilities", "is_probability", "outputs_to_classes",
    "BlowUp", "EpochResult",
    "TrainConfig", "Trainer", "TrainerState", "TrainingEnded",
]
