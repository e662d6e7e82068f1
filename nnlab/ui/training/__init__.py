"""Training on a worker thread: the Qt worker and the controller that owns its thread."""
