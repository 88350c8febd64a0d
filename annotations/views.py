from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from annotations.access import ANY_ROLE, get_project_for_user
from annotations.models import Project
from workbench.http import AuthenticatedHttpRequest


@login_required
def project_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    projects = Project.objects.for_user(request.user)
    return render(request, "annotations/project_list.html", {"projects": projects})


@login_required
def article_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_user(request.user, slug, roles=ANY_ROLE)
    articles = project.articles.only("id", "title", "source", "published")
    return render(
        request, "annotations/article_list.html", {"project": project, "articles": articles}
    )
