"""Settings for the test suite: the production settings with fast hashing and no manifest."""

from trustdesk.settings import *  # noqa: F403
from trustdesk.settings import STATIC_ROOT, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# whitenoise warns for every request when the collected-static folder does not exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Tests sign in with force_login; second-factor tests turn enforcement on themselves.
TWO_FACTOR_REQUIRED_ROLES = []  # type: ignore[no-redef]
