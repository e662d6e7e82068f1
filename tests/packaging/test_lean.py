"""What the spec leaves out of the bundle, on made-up entries (no build needed)."""
from lean import GTK_LIBRARY, prune, unwanted, without_links_to
from build import missing_libraries


def test_only_desktop_platforms_stay_and_the_gtk_theme_goes():
    plugins = "PySide6/Qt/plugins/"
    assert not unwanted(plugins + "platforms/libqxcb.so")
    assert not unwanted(plugins + "platforms/libqwayland.so")
    assert not unwanted(plugins + "platforms/qwindows.dll")
    assert unwanted(plugins + "platforms/libqvnc.so")
    assert unwanted(plugins + "platformthemes/libqgtk3.so")
    assert not unwanted(plugins + "platformthemes/libqxdgdesktopportal.so")
    assert not unwanted(plugins + "imageformats/libqjpeg.so")
    assert unwanted("PySide6/Qt/translations/qtbase_de.qm")
    for shipped in ("digits.npz", "mnist.npz", "mnist-PROVENANCE.md", "mnist-LICENSE.txt"):
        assert not unwanted(f"nnlab/resources/datasets/{shipped}")


def test_prune_drops_libraries_only_dropped_plugins_reach():
    binaries = [
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/src/gtk", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/xcb", "BINARY"),
        ("PySide6/QtGui.abi3.so", "/src/qtgui", "EXTENSION"),
        ("libgtk-3.so.0", "/lib/gtk", "BINARY"),
        ("libcairo.so.2", "/lib/cairo", "BINARY"),
        ("libglib-2.0.so.0", "/lib/glib", "BINARY"),
        ("libQt6Gui.so.6", "/lib/gui", "BINARY"),
        ("libxcb-cursor.so.0", "/lib/cursor", "BINARY"),
    ]
    links = {
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so": ["libgtk-3.so.0", "libglib-2.0.so.0", "libQt6Gui.so.6"],
        "libgtk-3.so.0": ["libcairo.so.2", "libglib-2.0.so.0"],
        "PySide6/Qt/plugins/platforms/libqxcb.so": ["libxcb-cursor.so.0", "libQt6Gui.so.6"],
        "PySide6/QtGui.abi3.so": ["libQt6Gui.so.6"],
        "libQt6Gui.so.6": ["libglib-2.0.so.0"],
    }
    kept, removed = prune(binaries, lambda dest: links.get(dest, []))
    assert removed == ["PySide6/Qt/plugins/platformthemes/libqgtk3.so", "libcairo.so.2", "libgtk-3.so.0"]
    assert [entry[0] for entry in kept] == ["PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/QtGui.abi3.so",
                                            "libglib-2.0.so.0", "libQt6Gui.so.6", "libxcb-cursor.so.0"]
    links_left = without_links_to([("libgtk-3.so.0", "PySide6/Qt/lib/libgtk-3.so.0", "SYMLINK"),
                                   ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK")], removed)
    assert [entry[0] for entry in links_left] == ["libQt6Gui.so.6"]


def test_missing_libraries_fail_the_build_except_gtks():
    log = ("1 WARNING: Library not found: could not resolve 'libgtk-3.so.0', dependency of 'x'.\n"
           "2 WARNING: Library not found: could not resolve 'libxcb-cursor.so.0', dependency of 'y'.\n"
           "3 WARNING: Library not found: could not resolve 'libgdk-3.so.0', dependency of 'x'.\n")
    assert missing_libraries(log) == ["libxcb-cursor.so.0"]
    assert GTK_LIBRARY.match("libpangocairo-1.0.so.0") and not GTK_LIBRARY.match("libxcb-cursor.so.0")
