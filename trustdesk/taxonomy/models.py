from __future__ import annotations

from typing import Any

from django.db import models

from trustdesk.lib.regions import Region


class Category(models.Model):
    """A harm category. Codes are the DSA statement-of-reasons values, so exports need no
    mapping table."""

    code = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    restricted_by_default = models.BooleanField(
        default=False, help_text="New incidents in this category start need-to-know."
    )
    sensitive = models.BooleanField(
        default=False, help_text="Text and media are shown behind a content warning."
    )
    keywords: models.ManyToManyField[Keyword, Any] = models.ManyToManyField(
        "Keyword", related_name="categories", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Keyword(models.Model):
    code = models.CharField(max_length=80, unique=True)
    name = models.CharField(max_length=250)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Market(models.Model):
    """A country market: where the platform's users are, and which region's team owns it."""

    code = models.CharField("ISO 3166-1 code", max_length=2, unique=True)
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=4, choices=Region.choices, db_index=True)
    tzs = models.JSONField("IANA time zones", default=list, help_text="First is the default")
    languages = models.JSONField(default=list, help_text="ISO 639-1 codes")
    eu = models.BooleanField("EU member", default=False)
    eea = models.BooleanField("EEA member", default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def tz(self) -> str:
        return self.tzs[0] if self.tzs else "UTC"
