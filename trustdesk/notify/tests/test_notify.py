"""In-app notifications: at most once per event and person, inside the caller's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.template import Context, Template
from django.test import Client, RequestFactory

from trustdesk.notify.models import Notification
from trustdesk.notify.services import mark_read, notify, unread_count

pytestmark = pytest.mark.django_db


def _send(*users, key="regulatory.request.1.50", link="/regulatory/1/"):
    return notify(
        recipients=users, event_key=key, subject="Half the clock used", body="b", link=link
    )


def test_an_event_reaches_each_person_once(im, lead) -> None:
    assert _send(im, lead, im) == [im, lead]
    assert _send(im, lead) == []
    assert Notification.objects.count() == 2
    assert _send(im, key="regulatory.request.1.75") == [im]
    assert Notification.objects.filter(recipient=im).count() == 2


def test_inactive_people_and_blanks_are_skipped(im, lead) -> None:
    lead.is_active = False
    lead.save()
    assert _send(im, lead, None) == [im]


def test_notifications_roll_back_with_the_event(im) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _send(im)
        raise RuntimeError
    assert not Notification.objects.exists()


def test_reading_marks_only_ones_own(im, lead) -> None:
    _send(im, lead)
    assert unread_count(im) == 1
    assert mark_read(user=im) == 1
    assert (unread_count(im), unread_count(lead)) == (0, 1)


def test_the_unread_tag_counts_for_the_logged_in_user(im) -> None:
    _send(im)
    request = RequestFactory().get("/")
    request.user = im
    html = Template("{% load notify %}{% unread_notifications %}").render(
        Context({"request": request})
    )
    assert html == "1"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_inbox_shows_my_notifications_only(im, lead) -> None:
    _send(im)
    _send(lead, key="other.event")
    page = _client(im).get("/notifications/").content.decode()
    assert page.count("Half the clock used") == 1
    assert "Mark all 1 read" in page


def test_opening_marks_read_and_follows_internal_links_only(im, lead) -> None:
    _send(im)
    note = Notification.objects.get(recipient=im)
    response = _client(im).post(f"/notifications/{note.pk}/open")
    assert response["Location"] == "/regulatory/1/"
    note.refresh_from_db()
    assert note.is_read
    _send(im, key="evil", link="https://evil.example/phish")
    evil = Notification.objects.get(event_key="evil")
    assert _client(im).post(f"/notifications/{evil.pk}/open")["Location"] == "/notifications/"
    assert _client(lead).post(f"/notifications/{note.pk}/open").status_code == 404


def test_mark_all_read(im) -> None:
    _send(im)
    _send(im, key="second")
    _client(im).post("/notifications/read-all")
    assert unread_count(im) == 0


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    assert Client().get("/notifications/").status_code == 302
