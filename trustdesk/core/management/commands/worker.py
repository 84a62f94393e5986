"""``trustdesk worker``: runs queued background tasks (django-tasks-db's ``db_worker``).

Start as many as the load needs, on as many machines as share the database: each claims a
task atomically, so no task runs twice. All of ``db_worker``'s options apply.
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = (
        "Run a background worker: claims queued tasks from the database and runs them. "
        "Run several for more throughput."
    )
