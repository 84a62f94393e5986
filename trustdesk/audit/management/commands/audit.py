from django.core.management.base import BaseCommand, CommandError, CommandParser

from trustdesk.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` checks the hash chain and names the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: object, **options: object) -> None:
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"audit chain broken at event #{result.broken_at}: {result.reason} "
                f"({result.checked} events verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {result.checked} events"))
