"""The floors of the house: engine ← data ← lab ← ui ← app/cli, and no Qt below the UI."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nnlab"
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6")
# Modules each floor may not import: anything above it.
FORBIDDEN = {
    "engine": ("nnlab.data", "nnlab.lab", "nnlab.ui", "nnlab.app", "nnlab.cli", *QT_MODULES),
    "data": ("nnlab.lab", "nnlab.ui", "nnlab.app", "nnlab.cli", *QT_MODULES),
    "lab": ("nnlab.ui", "nnlab.app", "nnlab.cli", *QT_MODULES),
    "ui": ("nnlab.app", "nnlab.cli"),
}
# The single image-decoding module may use QImage (the style guide allows it).
ALLOWED_QT = {PACKAGE / "data" / "image_io.py"}


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-node.level]
                names.append(".".join([*parts, node.module] if node.module else parts))
            else:
                names.append(node.module or "")
    return names


@pytest.mark.parametrize("floor", sorted(FORBIDDEN))
def test_floor_imports_only_downwards(floor):
    files = sorted((PACKAGE / floor).rglob("*.py"))
    assert files, f"nnlab/{floor} has no modules"
    offences = []
    for path in files:
        for name in _imports(path):
            for bad in FORBIDDEN[floor]:
                if name == bad or name.startswith(bad + "."):
                    if path in ALLOWED_QT and bad in QT_MODULES:
                        continue
                    offences.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert not offences, "\n".join(offences)


def test_the_lab_floor_imports_without_qt():
    """nnlab.lab (and what it stands on) works where PySide6 and pyqtgraph cannot even be imported."""
    import subprocess
    import sys

    code = ("import sys\n"
            "for name in ('PySide6', 'pyqtgraph', 'shiboken6'):\n"
            "    sys.modules[name] = None  # import fails\n"
            "import nnlab.lab, pkgutil, importlib\n"
            "for module in pkgutil.walk_packages(nnlab.lab.__path__, 'nnlab.lab.'):\n"
            "    importlib.import_module(module.name)\n"
            "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PACKAGE.parent, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
