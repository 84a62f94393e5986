"""A region's programme: its leads set sample size, period, weights and targets."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from trustdesk.audit.models import AuditEvent
from trustdesk.lib.errors import InvalidInput
from trustdesk.quality import services
from trustdesk.quality.models import Program, SamplingRun

pytestmark = pytest.mark.django_db


def test_the_regions_lead_changes_it_and_it_is_audited(lead):
    assert Program.for_region("EMEA").sample_size == 4  # the default, before anyone changes it
    program = services.update_program(
        actor=lead, program=Program.for_region("EMEA"), sample_size=6, calibration_share=30
    )
    program = Program.objects.get(region="EMEA")
    assert (program.sample_size, program.calibration_share) == (6, 30)
    event = AuditEvent.objects.get(action="quality.program.update")
    assert event.after == {"sample_size": "6", "calibration_share": "30"}


def test_another_regions_lead_cannot(lead):
    with pytest.raises(PermissionDenied):
        services.update_program(actor=lead, program=Program.for_region("AMS"), sample_size=6)


@pytest.mark.parametrize(
    ("field", "value"),
    [("period_days", 10), ("sample_size", 0), ("high_risk_weight", "0.5"), ("quality_target", 101)],
)
def test_it_refuses_nonsense(lead, field, value):
    with pytest.raises(InvalidInput) as error:
        services.update_program(actor=lead, program=Program.for_region("EMEA"), **{field: value})
    assert field in error.value.errors


def test_the_team_page_form_saves_it(client, lead):
    client.force_login(lead)
    data = {
        "sample_size": 5,
        "period_days": 14,
        "high_risk_weight": "2.5",
        "calibration_share": 10,
        "quality_target": 80,
        "accuracy_target": 85,
    }
    response = client.post(reverse("quality:update_program", args=["EMEA"]), data)
    assert response.status_code == 302
    program = Program.objects.get(region="EMEA")
    assert (program.period_days, str(program.high_risk_weight)) == (14, "2.5")


def test_a_lead_draws_the_last_periods_sample_from_the_team_page(client, lead):
    client.force_login(lead)
    response = client.post(reverse("quality:run_sample", args=["EMEA"]))
    assert response.status_code == 302
    assert SamplingRun.objects.filter(region="EMEA").exists()
