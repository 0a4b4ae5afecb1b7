"""Benchmark of the judge sandbox: CPU overhead per run and throughput vs bare runs."""
