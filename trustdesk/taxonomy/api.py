"""``/api/v1/taxonomy``: the codes the incidents API accepts, and the severity rubric."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema

from trustdesk.lib.api import error_responses

from .models import Category, Market
from .severity import DIMENSIONS, RUBRIC, Severity

router = Router(tags=["taxonomy"])


class KeywordOut(Schema):
    code: str
    name: str


class CategoryOut(Schema):
    code: str
    slug: str
    name: str
    restricted_by_default: bool
    sensitive: bool
    keywords: list[KeywordOut]

    @staticmethod
    def resolve_keywords(obj: Category) -> list[Any]:
        return list(obj.keywords.all())


class MarketOut(Schema):
    code: str
    name: str
    region: str
    tzs: list[str]
    languages: list[str]
    eu: bool
    eea: bool


class DimensionOut(Schema):
    key: str
    label: str


class SeverityOut(Schema):
    code: Severity
    label: str
    summary: str
    criteria: dict[str, str]


class RubricOut(Schema):
    dimensions: list[DimensionOut]
    levels: list[SeverityOut]


@router.get(
    "/categories",
    response={200: list[CategoryOut], **error_responses()},
    summary="Harm categories (DSA statement-of-reasons codes) with their keywords",
)
def categories(request: HttpRequest) -> QuerySet[Category]:
    return Category.objects.prefetch_related("keywords")


@router.get(
    "/markets",
    response={200: list[MarketOut], **error_responses()},
    summary="Country markets with their region and time zones",
)
def markets(request: HttpRequest) -> QuerySet[Market]:
    return Market.objects.all()


@router.get(
    "/severities",
    response={200: RubricOut, **error_responses()},
    summary="Severity levels and the written rubric",
)
def severities(request: HttpRequest) -> RubricOut:
    return RubricOut(
        dimensions=[DimensionOut(key=key, label=label) for key, label in DIMENSIONS.items()],
        levels=[
            SeverityOut(
                code=level,
                label=level.label,
                summary=RUBRIC[level]["summary"],
                criteria={key: RUBRIC[level][key] for key in DIMENSIONS},
            )
            for level in Severity
        ],
    )
