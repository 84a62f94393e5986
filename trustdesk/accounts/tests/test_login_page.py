"""Signing in: /login/, and the lockout page after repeated failures (django-axes)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("login")


def test_signing_in_lands_on_the_queue(client, im):
    page = client.get(URL)
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.content.decode()
    response = client.post(URL, {"username": im.username, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response.url == reverse("incidents:queue")


def test_a_wrong_password_is_refused_with_a_message(client, im):
    response = client.post(URL, {"username": im.username, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_account_out(client, im, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(URL, {"username": im.username, "password": "nope"})
    response = client.post(URL, {"username": im.username, "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in response.content.decode()
    assert "Try again in 15m." in response.content.decode()
