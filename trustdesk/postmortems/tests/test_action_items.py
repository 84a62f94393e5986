"""Action items: an owner, a due date, a status table, and the completion rate."""

from datetime import timedelta

import pytest

from trustdesk.accounts.tests.factories import TeamFactory
from trustdesk.lib.errors import IllegalTransition, InvalidInput
from trustdesk.notify.models import Notification
from trustdesk.postmortems import services
from trustdesk.postmortems.document import build
from trustdesk.postmortems.tests.factories import factor, make_action_item, make_postmortem

pytestmark = pytest.mark.django_db


def test_the_owner_is_told(im, lead, pm):
    item = make_action_item(actor=im, postmortem=pm, owner=lead)
    assert Notification.objects.filter(
        recipient=lead, event_key=f"pm-action-assigned:{item.pk}:{lead.pk}"
    ).exists()


def test_it_needs_exactly_one_owner(im, pm):
    team = TeamFactory()
    with pytest.raises(InvalidInput, match="needs an owner"):
        services.create_action_item(
            actor=im, postmortem=pm, description="Orphan", due_on=pm.due_at.date()
        )
    with pytest.raises(InvalidInput, match="not both"):
        make_action_item(actor=im, postmortem=pm, owner=im, owner_team=team)


def test_a_team_can_own_it(im, pm):
    team = TeamFactory(name="Trust tooling")
    item = services.create_action_item(
        actor=im, postmortem=pm, description="Fix it", owner_team=team, due_on=pm.due_at.date()
    )
    assert item.owner_label == "Trust tooling"


def test_an_owner_must_see_the_incident(im, im2, restricted_pm):
    with pytest.raises(InvalidInput, match="cannot see"):
        make_action_item(actor=im, postmortem=restricted_pm, owner=im2)


def test_the_ticket_must_be_a_web_address(im, pm):
    with pytest.raises(InvalidInput) as error:
        make_action_item(actor=im, postmortem=pm, ticket_url="javascript:alert(1)")
    assert error.value.field == "ticket_url"


def test_the_factor_must_be_on_this_postmortem(im, pm):
    other = make_postmortem(actor=im)
    link = services.add_factor(actor=im, postmortem=other, factor=factor("process"))
    with pytest.raises(InvalidInput, match="listed on this post-mortem"):
        make_action_item(actor=im, postmortem=pm, factor=link)


def test_a_due_date_before_the_incident_is_refused(im, pm):
    with pytest.raises(InvalidInput) as error:
        make_action_item(
            actor=im, postmortem=pm, due_on=pm.incident.reported_at.date() - timedelta(days=1)
        )
    assert error.value.field == "due_on"


def test_status_follows_the_table(im, pm):
    item = make_action_item(actor=im, postmortem=pm)
    item = services.update_action_item(actor=im, item=item, status="cancelled")
    with pytest.raises(IllegalTransition) as error:
        services.update_action_item(actor=im, item=item, status="done")
    assert error.value.allowed == ["open"]


def test_completion_leaves_out_cancelled_items(im, lead, pm):
    items = [make_action_item(actor=im, postmortem=pm, description=f"Item {i}") for i in range(4)]
    services.update_action_item(actor=im, item=items[0], status="done")
    services.update_action_item(actor=im, item=items[1], status="cancelled")
    doc = build(pm, lead)
    assert (doc.done, doc.counted, doc.percent) == (1, 3, 33)


def test_reassigning_to_a_team_clears_the_person(im, pm):
    item = make_action_item(actor=im, postmortem=pm)
    team = TeamFactory()
    item = services.update_action_item(actor=im, item=item, owner_team=team)
    assert item.owner is None and item.owner_team == team
