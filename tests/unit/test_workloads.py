"""declare() validates a workload the moment it is declared, with hints for typos."""

from __future__ import annotations

import pytest

from celeriac import defaults
from celeriac.errors import DeclarationError
from celeriac.workloads import Declarations, Example, Kind, RetryPolicy, check_signature, declare


def test_unknown_option_hints_the_close_one() -> None:
    with pytest.raises(DeclarationError, match=r"unknown option 'time_limit'.*did you mean 'time_limit_s'"):
        declare("a.b", kind="cpu", time_limit=10)


def test_unknown_kind_hints_the_close_one() -> None:
    with pytest.raises(DeclarationError, match=r"unknown workload kind 'cpus'.*did you mean 'cpu'"):
        declare("a.b", kind="cpus")


def test_kind_is_required() -> None:
    with pytest.raises(DeclarationError, match="declare its kind="):
        declare("a.b", queue="q")


@pytest.mark.parametrize("priority", [-1, 10, 2.5])
def test_priority_outside_0_to_9_is_refused(priority: object) -> None:
    with pytest.raises(DeclarationError, match="priority"):
        declare("a.b", kind="io", priority=priority)


@pytest.mark.parametrize("soft", [10.0, 11.0])
def test_soft_limit_must_be_below_hard(soft: float) -> None:
    with pytest.raises(DeclarationError, match="soft_time_limit_s"):
        declare("a.b", kind="io", time_limit_s=10, soft_time_limit_s=soft)


def test_idempotency_key_needs_a_field() -> None:
    with pytest.raises(DeclarationError, match="names no argument"):
        declare("a.b", kind="io", idempotency_key="constant-key")
    assert declare("a.b", kind="io", idempotency_key="k:{account}:{req}").key_fields == ("account", "req")


@pytest.mark.parametrize("cron", ["0 2 * *", "0 2 * * * *", ""])
def test_crontab_must_have_five_fields(cron: str) -> None:
    with pytest.raises(DeclarationError, match="crontab"):
        declare("a.b", kind="maintenance", schedule=cron)


def test_schedule_seconds_must_be_positive() -> None:
    with pytest.raises(DeclarationError, match="schedule seconds"):
        declare("a.b", kind="maintenance", schedule=0)


def test_example_without_expect_or_check_is_refused() -> None:
    # DeclarationError is a TypeError; today the dataclass itself refuses the missing expect= (see below).
    with pytest.raises(TypeError, match="expect"):
        Example(args=(1,))
    assert Example(args=(1,), expect=None).expect is None


def test_example_with_check_only_is_accepted() -> None:
    assert Example(args=(1,), check=lambda out: None).check is not None


@pytest.mark.parametrize("exc", [Exception, BaseException])
def test_retry_on_everything_is_refused(exc: type[BaseException]) -> None:
    with pytest.raises(DeclarationError, match="transient errors"):
        RetryPolicy(on=(exc,))


def test_retry_on_instances_is_refused() -> None:
    with pytest.raises(DeclarationError, match="not instances"):
        RetryPolicy(on=(ConnectionError(),))  # type: ignore[arg-type]


def test_declarations_refuse_duplicates() -> None:
    wl = declare("a.b", kind="io")
    with pytest.raises(DeclarationError, match="declared twice"):
        Declarations(wl, [declare("a.b", kind="cpu")])


def test_declarations_lookup_hints_close_name() -> None:
    decl = Declarations(declare("a.fetch", kind="io"), [declare("a.run", kind="cpu")])
    assert list(decl) == ["a.fetch", "a.run"]
    with pytest.raises(KeyError, match=r"did you mean 'a\.fetch'"):
        decl["a.fetc"]


def test_check_signature_refuses_key_field_not_an_argument() -> None:
    wl = declare("a.b", kind="io", idempotency_key="credit:{acount}")
    with pytest.raises(DeclarationError, match=r"\{acount\}.*did you mean 'account'"):
        check_signature(wl, ["account", "amount"])
    check_signature(declare("a.c", kind="io", idempotency_key="credit:{account}"), ["account"])


@pytest.mark.parametrize("kind", list(Kind))
def test_defaults_follow_the_kind(kind: Kind) -> None:
    wl = declare("a.b", kind=kind.value)
    hard = defaults.HARD_TIME_LIMIT_S[kind.value]
    assert wl.kind is kind
    assert wl.queue == kind.value
    assert wl.priority == defaults.PRIORITY
    assert wl.time_limit_s == hard
    assert wl.soft_time_limit_s == pytest.approx(0.9 * hard)


def test_soft_default_follows_a_declared_hard_limit() -> None:
    wl = declare("a.b", kind="cpu", time_limit_s=50, queue="render")
    assert (wl.queue, wl.time_limit_s, wl.soft_time_limit_s) == ("render", 50.0, pytest.approx(45.0))


def test_example_without_expect_or_check_is_a_declaration_error() -> None:
    with pytest.raises(DeclarationError, match="expect= or check="):
        Example(args=(1,))


def test_crontab_values_are_checked_at_declaration() -> None:
    with pytest.raises(DeclarationError, match="99"):
        declare("a.b", kind="maintenance", schedule="99 * * * *")


def test_boolean_priority_is_refused() -> None:
    with pytest.raises(DeclarationError, match="priority"):
        declare("a.b", kind="io", priority=True)
