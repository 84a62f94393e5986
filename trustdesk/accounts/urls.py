from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/tokens", views.tokens, name="account_tokens"),
    path("account/tokens/<int:token_id>/revoke", views.revoke_token, name="account_token_revoke"),
]
