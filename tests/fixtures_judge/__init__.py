"""The sample problem pages now ship with the judge; re-exported for the tests."""

from celeriac_site.judge.services.extract_pages import BAEKJOON_1000, CODEFORCES_4A

__all__ = ["BAEKJOON_1000", "CODEFORCES_4A"]
