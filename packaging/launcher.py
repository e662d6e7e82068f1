"""The frozen app's entry script: the same ``nnlab`` command as the installed one.

Kept outside the package so PyInstaller runs it as ``__main__`` while ``nnlab`` stays an
ordinary package inside the bundle (``importlib.resources`` then finds its files).
"""
import sys

from nnlab.app import ensure_standard_streams

ensure_standard_streams()

from nnlab.cli import main  # noqa: E402  (after the streams exist: argparse writes to them)

sys.exit(main())
