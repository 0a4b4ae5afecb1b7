"""What the two processing commands share: options, a rich progress bar, the summary."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from celeriac_site.media.pipeline import registry
from celeriac_site.media.pipeline.errors import ModelUnavailable
from celeriac_site.media.services import batch
from celeriac_site.media.services.kinds import spec
from celeriac_site.media.services.processing import Outcome
from celeriac_site.media.validation import MediaKind


class ProcessCommand(BaseCommand):
    """Process pending items in this process, without Celery (the seed's fallback)."""

    kind: MediaKind

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="at most N items (default: batch size)")
        parser.add_argument(
            "--retry-failed", action="store_true", help="also reprocess items that failed for good"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        s = spec(self.kind)
        limit = options["limit"]
        if limit is not None and limit < 0:
            raise CommandError("--limit must be >= 0")
        try:
            registry.get()
        except ModelUnavailable as exc:
            raise CommandError(f"the models do not load: {exc}; run check_ai_models") from None
        console = Console(file=cast(IO[str], self.stdout), force_terminal=False, width=100)
        total = batch.count_claimable(self.kind, failed_too=options["retry_failed"])
        if limit is not None:
            total = min(total, limit)
        with Progress(
            TextColumn(f"[bold]{s.plural}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
        ) as progress:
            bar = progress.add_task("", total=total)

            def on_item(outcome: Outcome) -> None:
                progress.update(bar, advance=1, description=f"{s.kind} {outcome.id}: {outcome.status}")
                if outcome.status == "failed":
                    progress.console.print(f"{s.kind} {outcome.id} failed: {outcome.reason}")

            done = batch.process_pending(
                self.kind, limit=limit, failed_too=options["retry_failed"], on_item=on_item
            )
        self.stdout.write(
            f"Processed {len(done.outcomes)} {s.plural}: {done.count('completed')} completed, "
            f"{done.count('failed')} failed, {done.count('skipped')} skipped"
            + (f"; released {done.swept} dead claim(s)" if done.swept else "")
        )
