"""``trustdesk bench <what> [options]``: the benchmarks, one per subject.

Each subject's code lives with its app and is imported only when asked for, so this command
depends on no app it does not run:
- ``bench intake [--reports N] [--batch 1000] [--unique-share 0.5] [--processes N]``: intake
  throughput, from as many processes as there are web workers (TRUSTDESK_WEB_WORKERS);
- ``bench spikes [--series 2000] [--seed 1] [--timed-series 10000]``: spike detection quality
  on labelled synthetic streams, next to a naive baseline, and its speed.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

BENCHES = {
    "intake": "trustdesk.intake.bench",
    "spikes": "trustdesk.analytics.spikes.bench",
}


class Command(BaseCommand):
    help = "Run a benchmark: bench intake [...] or bench spikes [...] (see --help of each)."

    def add_arguments(self, parser: CommandParser) -> None:
        subjects = parser.add_subparsers(dest="what", required=True, metavar="{intake,spikes}")
        intake = subjects.add_parser(
            "intake",
            help="Intake throughput on the current database (everything is rolled back)",
        )
        intake.add_argument("--reports", type=int, default=20_000)
        intake.add_argument("--batch", type=int, default=1000)
        intake.add_argument(
            "--unique-share",
            type=float,
            default=0.5,
            help="Share of reports about something new (the rest repeat or paraphrase)",
        )
        intake.add_argument(
            "--processes",
            type=int,
            default=settings.WEB_WORKERS,
            help="Post from this many processes at once, as the web workers would, into a "
            "scratch database (default: TRUSTDESK_WEB_WORKERS, now %(default)s); 1 measures "
            "in one rolled-back transaction on the current database, next to the raw insert",
        )
        spikes = subjects.add_parser(
            "spikes", help="Spike detection on labelled synthetic streams (no database)"
        )
        spikes.add_argument("--series", type=int, default=2000, help="Series to score")
        spikes.add_argument("--seed", type=int, default=1, help="Same seed, same streams")
        spikes.add_argument(
            "--timed-series", type=int, default=10_000, help="Series in the timing run"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        bench = importlib.import_module(BENCHES[what])
        progress = self.stderr.write
        if what == "intake" and options["processes"] > 1:
            try:
                result = bench.run_parallel(
                    **self._intake_options(options),
                    processes=options["processes"],
                    progress=progress,
                )
            except RuntimeError as exc:
                raise CommandError(str(exc)) from None
        elif what == "intake":
            result = bench.run(**self._intake_options(options), progress=progress)
        else:
            if options["series"] < 10 or options["timed_series"] < 10:
                raise CommandError("--series and --timed-series must be at least 10.")
            result = bench.run(
                series=options["series"],
                seed=options["seed"],
                timed_series=options["timed_series"],
                progress=progress,
            )
        for line in result.lines():
            self.stdout.write(line)

    @staticmethod
    def _intake_options(options: dict[str, Any]) -> dict[str, Any]:
        if not 1 <= options["batch"] <= 1000:
            raise CommandError("--batch must be between 1 and 1000 (the API's limit).")
        if options["reports"] < options["batch"]:
            raise CommandError("--reports must be at least one batch.")
        if not 0.0 <= options["unique_share"] <= 1.0:
            raise CommandError("--unique-share is a fraction between 0 and 1.")
        if options["processes"] < 1:
            raise CommandError("--processes must be at least 1.")
        return {
            "reports": options["reports"],
            "batch": options["batch"],
            "unique_share": options["unique_share"],
        }
