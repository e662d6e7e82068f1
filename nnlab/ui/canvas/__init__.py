"""The Draw dock: draw or load a picture, see what the network sees and thinks, add it to the training data."""
from .canvas_panel import CanvasPanel

__all__ = ["CanvasPanel"]
