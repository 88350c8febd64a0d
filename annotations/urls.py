from django.urls import path

from annotations import views

app_name = "annotations"

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("projects/<slug:slug>/", views.article_list, name="article-list"),
]
