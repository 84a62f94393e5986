from datetime import datetime, timedelta

from trustdesk.taxonomy.models import Category
from trustdesk.wellbeing.models import ExposureEvent, ExposureKind


def make_exposure(
    user,
    *,
    category: str = "STATEMENT_CATEGORY_VIOLENCE",
    minutes: int = 10,
    started_at: datetime,
    kind: str = ExposureKind.MEDIA,
) -> ExposureEvent:
    """A closed exposure event lasting ``minutes``."""
    duration = timedelta(minutes=minutes)
    return ExposureEvent.objects.create(
        user=user,
        category=Category.objects.get(code=category),
        kind=kind,
        started_at=started_at,
        ended_at=started_at + duration,
        revealed_duration=duration,
    )
