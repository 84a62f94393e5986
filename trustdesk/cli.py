"""The ``trustdesk`` console script: ``manage.py`` under a name a newcomer can remember.

``trustdesk demo`` runs everything on one machine; ``trustdesk serve``, ``trustdesk worker``
and ``trustdesk scheduler`` are the production processes; ``trustdesk help`` lists the rest
(``seed_demo``, ``audit verify``, ``migrate``, ``createsuperuser``, ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustdesk.settings")
    from django.core.management import execute_from_command_line

    from trustdesk.lib.env import ImproperSetting

    args = sys.argv[1:] if argv is None else argv
    try:
        execute_from_command_line(["trustdesk", *args])
    except ImproperSetting as exc:
        # A wrong environment variable is the operator's to fix: name it, skip the traceback.
        sys.exit(f"trustdesk: {exc}")


if __name__ == "__main__":
    main()
