from django.core.management.base import BaseCommand, CommandParser

from trustdesk.core.scheduler import run_forever, tick


class Command(BaseCommand):
    help = "Enqueue periodic work (deadline sweeps, audit verification) for the workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One tick, then exit")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between ticks")

    def handle(self, *args: object, **options: object) -> None:
        if options["once"]:
            names = tick()
            self.stdout.write(f"enqueued: {', '.join(names) or 'nothing due'}")
            return
        try:
            run_forever(float(options["interval"]))  # type: ignore[arg-type]
        except KeyboardInterrupt:
            # Ctrl-C is how a person stops it: nothing half-done to report (a tick is atomic).
            self.stdout.write("scheduler stopped")
