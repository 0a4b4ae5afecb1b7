"""``manage.py bridge_switch cutover|rollback|show`` (or ``--mode/--answer/--shadow``): the switches."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from celeriac_site.bridge.models import BridgeSettings
from celeriac_site.bridge.services import switches
from celeriac_site.bridge.services.routing import Mode, PathName


class Command(BaseCommand):
    help = "Show or change the bridge's switches; they apply to the next request, nothing restarts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["show", "cutover", "rollback"], default="show")
        parser.add_argument("--mode", choices=[m.value for m in Mode])
        parser.add_argument("--answer", choices=[p.value for p in PathName])
        parser.add_argument("--shadow", type=int, help="shadow percentage, 0-100")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "cutover":
                row = switches.cut_over()
            elif opts["action"] == "rollback":
                row = switches.rollback()
            elif opts["mode"] or opts["answer"] or opts["shadow"] is not None:
                row = switches.set_switches(
                    mode=Mode(opts["mode"]) if opts["mode"] else None,
                    answer=PathName(opts["answer"]) if opts["answer"] else None,
                    shadow_percentage=opts["shadow"],
                )
            else:
                row = BridgeSettings.load()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(str(row))
