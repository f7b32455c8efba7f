"""Simulated resource metrics: a deterministic usage model (`model`), outside traffic in cluster
time (`traffic`), and the metrics-server's view of both (`server`)."""
