from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    """One claimed slot of a periodic job. The unique (name, slot) row is how several
    scheduler processes agree that a slot is enqueued once: the insert either wins or fails."""

    name = models.CharField(max_length=100)
    slot = models.DateTimeField(help_text="Start of the period this run covers (UTC)")
    enqueued_at = models.DateTimeField(default=timezone.now)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="unique_run_slot")]
        ordering = ["-slot"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot.isoformat()}"
