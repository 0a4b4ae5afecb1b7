"""Eleven problems with a Python reference solution each; expected outputs were worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProblemSpec:
    problem_id: str
    title: str
    statement: str
    reference: str
    tests: list[tuple[str, str]] = field(default_factory=list)
    checker: str = "whitespace"
    time_limit_ms: int = 1000
    memory_limit_mb: int = 128


PROBLEMS = [
    ProblemSpec(
        "aplusb",
        "A+B",
        "Read two integers A and B (1 ≤ A, B ≤ 10^9); print A+B.",
        "a, b = map(int, input().split())\nprint(a + b)\n",
        [("1 2\n", "3\n"), ("1000000000 1000000000\n", "2000000000\n"), ("7 35\n", "42\n")],
    ),
    ProblemSpec(
        "sum-array",
        "Sum of an array",
        "Read n (1 ≤ n ≤ 10^5) then n integers; print their sum.",
        "import sys\nd = sys.stdin.read().split()\nprint(sum(map(int, d[1:1 + int(d[0])])))\n",
        [("3\n1 2 3\n", "6\n"), ("1\n-5\n", "-5\n"), ("4\n10 -10 10 -10\n", "0\n")],
    ),
    ProblemSpec(
        "max-array",
        "Maximum",
        "Read n then n integers; print the largest.",
        "import sys\nd = sys.stdin.read().split()\nprint(max(map(int, d[1:1 + int(d[0])])))\n",
        [("3\n1 9 3\n", "9\n"), ("2\n-4 -7\n", "-4\n"), ("1\n0\n", "0\n")],
    ),
    ProblemSpec(
        "reverse",
        "Reverse a word",
        "Read one word of lower-case letters; print it reversed.",
        "print(input().strip()[::-1])\n",
        [("abc\n", "cba\n"), ("racecar\n", "racecar\n"), ("celeriac\n", "cairelec\n")],
    ),
    ProblemSpec(
        "fib-mod",
        "Fibonacci modulo",
        "Read n (0 ≤ n ≤ 10^5); print F(n) mod 1000000007 (F(0)=0, F(1)=1).",
        "n = int(input())\na, b = 0, 1\nfor _ in range(n):\n    a, b = b, (a + b) % 1000000007\nprint(a)\n",
        [("0\n", "0\n"), ("10\n", "55\n"), ("50\n", "586268941\n")],
    ),
    ProblemSpec(
        "count-words",
        "Count words",
        "Read one line; print how many space-separated words it has.",
        "print(len(input().split()))\n",
        [("hello world\n", "2\n"), ("a b  c\n", "3\n"), ("single\n", "1\n")],
    ),
    ProblemSpec(
        "sort",
        "Sort numbers",
        "Read n then n integers; print them in ascending order.",
        "import sys\nd = sys.stdin.read().split()\nprint(*sorted(map(int, d[1:1 + int(d[0])])))\n",
        [("3\n3 1 2\n", "1 2 3\n"), ("5\n5 -1 5 0 2\n", "-1 0 2 5 5\n"), ("1\n42\n", "42\n")],
    ),
    ProblemSpec(
        "gcd",
        "Greatest common divisor",
        "Read two positive integers; print their gcd.",
        "import math\na, b = map(int, input().split())\nprint(math.gcd(a, b))\n",
        [("12 18\n", "6\n"), ("17 5\n", "1\n"), ("100 75\n", "25\n")],
    ),
    ProblemSpec(
        "palindrome",
        "Palindrome",
        "Read a word; print YES if it reads the same backwards, else NO.",
        "s = input().strip()\nprint('YES' if s == s[::-1] else 'NO')\n",
        [("level\n", "YES\n"), ("judge\n", "NO\n"), ("a\n", "YES\n")],
    ),
    ProblemSpec(
        "circle",
        "Circle area",
        "Read a radius r (0 < r ≤ 1000); print the area; error up to 1e-6 is accepted.",
        "import math\nprint('%.9f' % (math.pi * float(input()) ** 2))\n",
        [("1\n", "3.141592654\n"), ("2.5\n", "19.634954085\n"), ("10\n", "314.159265359\n")],
        checker="float",
    ),
    ProblemSpec(
        "primes",
        "Count primes",
        "Read n (1 ≤ n ≤ 10^6); print how many primes are ≤ n.",
        "n = int(input())\ns = bytearray([1]) * (n + 1)\ns[0:2] = b'\\x00\\x00'[: n + 1]\n"
        "for i in range(2, int(n ** 0.5) + 1):\n    if s[i]:\n"
        "        s[i * i :: i] = bytearray(len(s[i * i :: i]))\n"
        "print(sum(s))\n",
        [("10\n", "4\n"), ("1\n", "0\n"), ("100\n", "25\n"), ("1000000\n", "78498\n")],
    ),
]
