"""`make bench`: SimPy's own speed, the model's cost per event, sweep scaling and memory."""
