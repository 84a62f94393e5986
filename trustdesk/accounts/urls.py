from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify", views.login_verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/2fa", views.two_factor, name="account_2fa"),
    path(
        "account/2fa/recovery-codes",
        views.two_factor_recovery_codes,
        name="account_2fa_recovery_codes",
    ),
    path("account/2fa/disable", views.two_factor_disable, name="account_2fa_disable"),
    path("account/tokens", views.tokens, name="account_tokens"),
    path("account/tokens/<int:token_id>/revoke", views.revoke_token, name="account_token_revoke"),
]
