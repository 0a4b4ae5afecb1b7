"""The bridge's logic: the legacy queue protocol and executor, the gateway, results, comparison, summaries."""
