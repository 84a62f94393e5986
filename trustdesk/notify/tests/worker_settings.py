"""Settings for the worker processes that test_worker_processes starts and kills."""

import os

from trustdesk.settings_test import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["TRUSTDESK_WORKER_TEST_DB"],
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
NOTIFY_LEASE_SECONDS = 2  # a killed worker's row is taken over quickly
LOGGING = {"version": 1, "disable_existing_loggers": False}
