"""Admin: read-mostly. Reviews, scores and coaching change through the services (they audit);
rubric versions are published with ``manage.py quality_rubric``, never edited in place."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    AccuracySignal,
    CoachingNote,
    Criterion,
    Goal,
    Program,
    Review,
    Rubric,
    RubricVersion,
    SamplingRun,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    can_delete = False
    fields = ("position", "key", "label", "scale_min", "scale_max", "weight", "critical")
    readonly_fields = fields


@admin.register(Rubric)
class RubricAdmin(ReadOnly):
    list_display = ["name", "subject_kind", "slug"]


@admin.register(RubricVersion)
class RubricVersionAdmin(ReadOnly):
    list_display = ["rubric", "number", "pass_mark", "published_at"]
    inlines = [CriterionInline]


@admin.register(Program)
class ProgramAdmin(ReadOnly):
    list_display = ["region", "period_days", "sample_size", "calibration_share", "quality_target"]


@admin.register(SamplingRun)
class SamplingRunAdmin(ReadOnly):
    list_display = ["region", "period_start", "created_at"]


@admin.register(Review)
class ReviewAdmin(ReadOnly):
    list_display = ["pk", "subject_ref", "reviewee", "reviewer", "status", "score"]
    list_filter = ["status"]


@admin.register(AccuracySignal)
class AccuracySignalAdmin(ReadOnly):
    list_display = ["person", "kind", "subject_ref", "closed_at"]
    list_filter = ["kind"]


@admin.register(CoachingNote)
class CoachingNoteAdmin(ReadOnly):
    list_display = ["person", "author", "draft", "created_at"]


@admin.register(Goal)
class GoalAdmin(ReadOnly):
    list_display = ["person", "title", "status", "follow_up_on"]
