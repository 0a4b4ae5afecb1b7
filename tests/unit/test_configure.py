"""celeriac.configure fills what the project left unset; the project's own settings win."""

from __future__ import annotations

import celery
import pytest

import celeriac
from celeriac.app import configuration_findings, topology_of, user_config_keys
from celeriac.errors import DeclarationError
from celeriac.workloads import Declarations, declare

WORKLOADS = Declarations(declare("t.fetch", kind="io"), declare("t.run", kind="cpu", priority=8))


def configured(source: type, namespace: str | None = None) -> celery.Celery:
    app = celery.Celery("t", set_as_current=False)
    app.config_from_object(source, namespace=namespace)
    celeriac.configure(app, WORKLOADS)
    return app


class Plain:
    task_acks_late = False
    broker_url = "redis://localhost:6379/0"
    result_backend = "redis://localhost:6379/0"
    broker_transport_options = {"visibility_timeout": 5, "max_connections": 7}


def test_user_setting_wins_and_unset_ones_take_celeriac_values() -> None:
    app = configured(Plain)
    assert app.conf.task_acks_late is False
    assert app.conf.result_compression == "gzip"
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_routes["t.run"] == {"queue": "cpu", "priority": 1}  # redis: 9 - urgency
    assert topology_of(app) is not None
    assert configuration_findings(app) == []


def test_transport_options_are_merged_key_by_key() -> None:
    options = configured(Plain).conf.broker_transport_options
    assert options["visibility_timeout"] == 5
    assert options["max_connections"] == 7
    assert options["queue_order_strategy"] == "priority"


def test_transport_options_gain_visibility_timeout() -> None:
    class Partial:
        broker_transport_options = {"max_connections": 3}

    options = configured(Partial).conf.broker_transport_options
    assert options["max_connections"] == 3
    assert options["visibility_timeout"] > 0


class DjangoStyle:
    CELERY_RESULT_BACKEND = "redis://localhost:6379/0"
    CELERY_RESULT_EXPIRES = 5
    CELERY_TASK_ACKS_LATE = False


def test_django_namespaced_settings_are_respected() -> None:
    app = configured(DjangoStyle, namespace="CELERY")
    assert app.conf.result_expires == 5
    assert app.conf.task_acks_late is False
    assert app.conf.result_compression == "gzip"
    assert {"result_expires", "task_acks_late"} <= set(user_config_keys(app.conf))


@pytest.mark.parametrize(
    ("source", "namespace"),
    [
        (type("Cfg", (), {"worker_pool": "gevent"}), None),
        (type("Cfg", (), {"CELERY_WORKER_POOL": "gevent"}), "CELERY"),
    ],
)
def test_worker_pool_in_config_is_neutralised(source: type, namespace: str | None) -> None:
    app = configured(source, namespace)
    assert app.conf.worker_pool == "prefork"
    findings = configuration_findings(app)
    assert len(findings) == 1
    assert "worker_pool" in findings[0]


def test_configure_on_an_already_configured_app() -> None:
    app = celery.Celery("t", set_as_current=False)
    app.conf.task_acks_late = False
    assert app.conf.broker_url is None  # loads the configuration now
    celeriac.configure(app, WORKLOADS)
    assert app.conf.task_acks_late is False
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.result_compression is None, "no result backend: nothing to compress"


@pytest.mark.parametrize("option", ["queue", "time_limit", "max_retries", "acks_late"])
def test_task_refuses_options_that_belong_on_the_declaration(option: str) -> None:
    with pytest.raises(DeclarationError, match=f"'{option}' belongs on the workload declaration"):
        celeriac.task(WORKLOADS["t.fetch"], **{option: 1})


def test_task_refuses_key_naming_unknown_argument_at_decoration() -> None:
    wl = declare("t.credit", kind="io", idempotency_key="credit:{acount}")
    decorate = celeriac.task(wl)
    with pytest.raises(DeclarationError, match=r"\{acount\}.*did you mean 'account'"):

        @decorate
        def credit(account: str, amount: int) -> None:
            return None


def test_task_with_bind_ignores_self_when_checking_keys() -> None:
    wl = declare("t.bound", kind="io", idempotency_key="k:{self}")
    with pytest.raises(DeclarationError, match=r"\{self\}"):

        @celeriac.task(wl, bind=True)
        def bound(self: object, account: str) -> None:
            return None


class OldStyle:
    CELERY_ACKS_LATE = False
    CELERYD_PREFETCH_MULTIPLIER = 8


class CustomNamespace:
    MYAPP_TASK_ACKS_LATE = False


def test_old_style_setting_names_are_respected() -> None:
    app = configured(OldStyle)
    assert app.conf.task_acks_late is False
    assert app.conf.worker_prefetch_multiplier == 8


def test_custom_namespace_is_respected() -> None:
    app = configured(CustomNamespace, namespace="MYAPP")
    assert app.conf.task_acks_late is False


def test_project_config_keys_exclude_what_celeriac_filled_in() -> None:
    from celeriac.app import project_config_keys

    app = configured(Plain)
    keys = set(project_config_keys(app))
    assert {"task_acks_late", "broker_url", "result_backend", "broker_transport_options"} <= keys
    assert "task_reject_on_worker_lost" not in keys and "result_extended" not in keys
