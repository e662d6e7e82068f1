"""The window's process runs BLAS on one thread; the headless commands keep the library's pool."""
import subprocess
import sys

from nnlab.app import prefer_single_threaded_blas
from nnlab.cli import opens_window


def test_no_command_word_means_the_window():
    assert opens_window([])
    assert opens_window(["--startup-probe"])
    assert not opens_window(["train", "--dataset", "xor"])
    assert not opens_window(["--json", "info", "model.npz"])


def test_single_threaded_blas_is_a_default_the_user_can_override():
    environ = {"OPENBLAS_NUM_THREADS": "4"}
    prefer_single_threaded_blas(environ)
    assert environ == {"OPENBLAS_NUM_THREADS": "4", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def test_the_cli_module_leaves_numpy_unloaded_so_the_choice_can_still_take_effect():
    code = "import sys, nnlab.cli; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
