from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.home, name="home"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/scores", views.review_scores, name="review_scores"),
    path("reviews/<int:pk>/answer", views.review_answer, name="review_answer"),
    path("reviews/<int:pk>/resolve", views.review_resolve, name="review_resolve"),
    path("reviews/<int:pk>/reassign", views.review_reassign, name="review_reassign"),
    path("scorecard/", views.my_scorecard, name="scorecard"),
    path("scorecard/<str:username>/", views.scorecard_for, name="scorecard_for"),
    path("scorecard/<str:username>/notes", views.add_note, name="add_note"),
    path("scorecard/<str:username>/goals", views.add_goal, name="add_goal"),
    path("notes/<int:pk>/share", views.share_note, name="share_note"),
    path("goals/<int:pk>", views.update_goal, name="update_goal"),
    path("team/", views.team, name="team"),
    path("team/<str:region>/programme", views.update_program, name="update_program"),
    path("team/<str:region>/sample", views.run_sample, name="run_sample"),
    path("calibration/", views.calibration, name="calibration"),
    path("rubric/", views.rubric, name="rubric"),
]
