"""NN Lab: see neural networks learn."""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("nnlab")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
