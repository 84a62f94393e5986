import factory

from trustdesk.incidents import services
from trustdesk.incidents.models import Incident
from trustdesk.taxonomy.models import Category, Market
from trustdesk.taxonomy.severity import Severity


def make_incident(
    *,
    actor=None,
    title: str = "Dangerous challenge spreading",
    category: str = "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    severity: str = Severity.SEV2,
    markets: tuple[str, ...] = ("MX",),
    restricted: bool | None = None,
    **kwargs,
) -> Incident:
    """An incident created through the service, as a user would (audit and timeline too)."""
    return services.create_incident(
        actor=actor,
        title=title,
        category=Category.objects.get(code=category),
        severity=severity,
        markets=Market.objects.filter(code__in=markets),
        restricted=restricted,
        **kwargs,
    )


class IncidentFactory(factory.Factory):
    """Builds through ``make_incident`` so factory-made incidents obey the same rules."""

    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Incident {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return make_incident(**kwargs)

    _build = _create
