from django.db import models


class Region(models.TextChoices):
    """The three follow-the-sun regions of the incident-management teams."""

    AMS = "AMS", "Americas"
    EMEA = "EMEA", "Europe, Middle East & Africa"
    APAC = "APAC", "Asia-Pacific"
