"""A small problem set the judge ships with: statements, reference solutions, tests with expected outputs."""

from celeriac_site.judge.problemset.problems import PROBLEMS, ProblemSpec

__all__ = ["PROBLEMS", "ProblemSpec"]
