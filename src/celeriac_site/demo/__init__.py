"""The core's demonstration workloads: one of each kind, plus the reliability scenarios the tests drive."""
