"""Every script and benchmark that imports nnlab runs this checkout's code, not an installed copy.

Run as ``python scripts/x.py``, Python puts scripts/ (not the checkout) first on the path, so a stale
non-editable install of nnlab in site-packages was imported instead: docs/runs-*.png were once rendered with an
old legend that way. A file either puts the checkout first itself or hands its children PYTHONPATH."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMPORTS_NNLAB = re.compile(r"^\s*(from nnlab[\w.]* import|import nnlab)", re.MULTILINE)


def test_each_script_that_imports_nnlab_puts_this_checkout_first():
    files = sorted([*ROOT.glob("scripts/*.py"), *ROOT.glob("benchmarks/*.py")])
    importing = [path for path in files if IMPORTS_NNLAB.search(path.read_text(encoding="utf-8"))]
    assert len(importing) >= 10  # the check looked at real files
    unsure = [path.relative_to(ROOT).as_posix() for path in importing
              if "sys.path.insert(0, str(" not in (text := path.read_text(encoding="utf-8"))
              and "PYTHONPATH" not in text]
    assert unsure == []
