"""The network editor: the central, editable picture of the network (issue 4)."""
from .editor import NetworkEditor
from .panel_link import link_panel

__all__ = ["NetworkEditor", "link_panel"]
