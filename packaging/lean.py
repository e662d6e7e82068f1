"""What the bundle leaves out, and the libraries that only the left-out parts needed.

PyInstaller's Qt hooks collect every plugin of a kind (all platforms, the GTK theme, …)
and then every library those plugins link. Dropping a plugin after the analysis leaves
its libraries behind, so :func:`prune` also removes the libraries that nothing kept
still reaches. Pure functions over PyInstaller's (dest, src, kind) entries: testable
without a build.
"""
from __future__ import annotations

import os
import re
from typing import Callable, Iterable

# Python modules never imported by NN Lab (or only by optional paths of its libraries).
EXCLUDED_MODULES = [
    *(f"PySide6.{name}" for name in (
        "QtNetwork", "QtTest", "QtDBus", "QtQml", "QtQuick", "QtQuickWidgets", "QtQuickControls2",
        "QtQuickTest", "QtSql", "QtXml", "QtPrintSupport", "QtUiTools", "QtDesigner", "QtHelp",
        "QtConcurrent", "QtSvgWidgets")),
    "tkinter", "_tkinter", "unittest", "pydoc_data", "lib2to3", "xmlrpc",
    "pyqtgraph.opengl", "pyqtgraph.examples", "pyqtgraph.jupyter", "pyqtgraph.canvas",
    "scipy", "matplotlib", "pandas", "IPython", "jupyter_rfb", "h5py", "numba", "cupy", "torch",
    "sklearn", "skimage", "PIL", "OpenGL", "colorcet", "pytest",
    # numpy's Fortran wrapper generator and test helpers drag in yaml, charset_normalizer, doctest
    "numpy.f2py", "numpy.testing", "numpy.distutils", "yaml", "charset_normalizer", "readline",
]

# Qt plugins that stay (by folder): platforms only those a desktop needs; no GTK theme; no "generic"
# input plugins (evdev/TUIO: for framebuffer kiosks, and TUIO links QtNetwork and Kerberos).
KEEP_PLATFORMS = {"libqxcb.so", "libqwayland.so", "libqoffscreen.so",  # Linux
                  "qwindows.dll", "qoffscreen.dll",                        # Windows
                  "libqcocoa.dylib", "libqoffscreen.dylib"}                # macOS
DROPPED_PLUGIN_FOLDERS = {"platformthemes/libqgtk3.so", "egldeviceintegrations", "printsupport", "generic",
                          "sqldrivers", "tls", "networkinformation", "qmltooling", "designer"}

# GTK's own libraries are looked for by the GTK theme only; their warnings are not errors.
GTK_LIBRARY = re.compile(r"lib(gtk|gdk|atk|cairo|pango|harfbuzz|gio|gobject|glib|gmodule|epoxy)", re.I)


def unwanted(dest: str) -> bool:
    """Is this bundled file a plugin or data file the app never uses?"""
    path = dest.replace("\\", "/")
    if "/translations/" in path and path.endswith(".qm"):
        return True  # Qt's 7 MB of translations: the app's own text is English only
    marker = "/plugins/"
    if marker not in path:
        return False
    plugin = path.split(marker, 1)[1]
    folder, _, name = plugin.partition("/")
    if folder == "platforms":  # sub-folders (macOS's platforms/darwin) are left to PyInstaller's hooks
        return "/" not in name and name not in KEEP_PLATFORMS
    return folder in DROPPED_PLUGIN_FOLDERS or plugin in DROPPED_PLUGIN_FOLDERS


def _reach(roots: Iterable[str], needs: Callable[[str], Iterable[str]], by_name: dict[str, str]) -> set[str]:
    """Every bundled file reachable from ``roots`` through link-time dependencies."""
    seen, todo = set(), list(roots)
    while todo:
        dest = todo.pop()
        if dest in seen:
            continue
        seen.add(dest)
        todo.extend(by_name[name] for name in needs(dest) if name in by_name)
    return seen


def _is_root(entry: tuple) -> bool:
    """Loaded by Python or Qt by name (not merely linked): extension modules, plugins, libpython."""
    dest, _src, kind = entry[:3]
    name = os.path.basename(dest)
    return kind == "EXTENSION" or "/plugins/" in dest.replace("\\", "/") or name.lower().startswith(
        ("libpython", "python3"))


def prune(binaries: list[tuple], needs: Callable[[str], Iterable[str]]) -> tuple[list[tuple], list[str]]:
    """Drop unwanted plugins and the libraries only they reached.

    ``binaries``: PyInstaller entries (dest, src, kind); ``needs(dest)``: the library names
    that file links. Returns the kept entries and the dropped destinations.
    """
    by_name = {os.path.basename(entry[0]): entry[0] for entry in binaries}
    dropped = {entry[0] for entry in binaries if unwanted(entry[0])}
    kept_roots = [entry[0] for entry in binaries if entry[0] not in dropped and _is_root(entry)]
    still_needed = _reach(kept_roots, needs, by_name)
    orphans = _reach(dropped, needs, by_name) - still_needed
    removed = dropped | orphans
    return [entry for entry in binaries if entry[0] not in removed], sorted(removed)


def without_links_to(entries: list[tuple], removed: Iterable[str]) -> list[tuple]:
    """Drop the top-level symbolic links PyInstaller made to files that :func:`prune` removed."""
    names = {os.path.basename(dest) for dest in removed}
    return [entry for entry in entries if not (entry[2] == "SYMLINK" and os.path.basename(entry[0]) in names)]
