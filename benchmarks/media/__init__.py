"""Media pipeline benchmark: photos per second and peak RSS per worker process at concurrency 1 and 2."""
