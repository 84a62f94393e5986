"""Analytics state: the spike detector's learnt baselines and the alerts it raised.

Metrics, dashboards and the SQL console read other apps' tables (the console through the
``analytics_*`` SQL views created by this app's migrations) and keep no models of their own.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from trustdesk.intake.models import ReportGroup
from trustdesk.taxonomy.models import Category, Market


class SpikeDetectorState(models.Model):
    """The whole detector in one row: the series it knows and their baselines as numpy
    arrays (``spikes.detector.Detector.dumps``). One row keeps an hourly run to one read and
    one write however many series there are; the row lock serialises workers."""

    name = models.CharField(max_length=40, unique=True, default="reports")
    series = models.JSONField(default=list, help_text="[category id, market id] per series")
    state = models.BinaryField(help_text="Compressed numpy arrays, one row per series")
    last_bucket_at = models.DateTimeField(help_text="Start of the last bucket learnt")
    buckets_seen = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"spike detector {self.name} at {self.last_bucket_at:%Y-%m-%d %H:%M}"


class SpikeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class SpikeAlert(models.Model):
    """One spike in one (category, market) series, however many buckets it lasts."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(help_text="Start of the first improbable bucket")
    last_bucket_at = models.DateTimeField(help_text="Start of the latest bucket in the spike")
    ended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=SpikeStatus.choices, default=SpikeStatus.ACTIVE, db_index=True
    )
    buckets = models.PositiveIntegerField(default=1)
    observed = models.PositiveIntegerField(help_text="Reports in the spike so far")
    expected = models.FloatField(help_text="Reports the baseline expected in those buckets")
    peak_observed = models.PositiveIntegerField()
    peak_expected = models.FloatField()
    p_value = models.FloatField(help_text="The smallest upper-tail p-value of the spike")
    top_groups = models.JSONField(
        default=list, blank=True, help_text="The spike's reports grouped by text, largest first"
    )
    group = models.ForeignKey(
        ReportGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The suspected incident in the triage queue",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "market", "started_at"], name="unique_spike_per_start"
            ),
            models.UniqueConstraint(
                fields=["category", "market"],
                condition=Q(status="active"),
                name="one_active_spike_per_series",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"spike {self.category.code}/{self.market.code} from {self.started_at:%Y-%m-%d %H:%M}"
        )
