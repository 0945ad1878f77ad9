"""Live monitoring: windows over the prediction history, drift against the model's
test-set baseline, system figures, Prometheus metrics and structured logs."""
