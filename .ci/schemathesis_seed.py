"""Seed a throwaway database for the schemathesis run and print an API token.

Run with `manage.py shell -c "$(cat .ci/schemathesis_seed.py)"`: a project with articles (emoji,
CJK, right-to-left text), annotation sets with spans, claims and a threat assessment, an
approved gold set, and one user holding every role, whose token schemathesis uses.
"""

from django.contrib.auth import get_user_model

from accounts.services import api_token_create
from annotations.models import AnnotationSet, Article, Claim, Membership, Project, Span
from annotations.services import guidelines_update, project_add_defaults

User = get_user_model()
fuzzer = User.objects.create_user("fuzzer", password="not-used-fuzzer-password")
project = Project.objects.create(slug="fuzz", name="Fuzz")
project_add_defaults(project=project)
guidelines_update(project=project, text="Label every actor.", user=fuzzer)
for role in ("manager", "annotator", "reviewer"):
    Membership.objects.create(user=fuzzer, project=project, role=role)
label = project.labels.get(name="actor")
for n, body in enumerate(
    [
        "Kremlin spokesperson Dmitry Peskov warned NATO. 🇺🇦 北约 café\u0301",
        "قال المتحدث باسم الكرملين إن روسيا ستتخذ إجراءات.",
        "NATO met in Vilnius on Tuesday.",
    ]
):
    article = Article.objects.create(project=project, title=f"Article {n}", body=body)
    for gold in (False, True):
        annotation_set = AnnotationSet.objects.create(
            article=article,
            annotator=None if gold else fuzzer,
            is_gold=gold,
            status="approved" if gold else "in_progress",
        )
        span = Span.objects.create(
            annotation_set=annotation_set, start=0, end=4, quote=body[:4], label=label
        )
        Claim.objects.create(
            annotation_set=annotation_set, span=span, claim_type=project.claim_types.first()
        )
_, key = api_token_create(owner=fuzzer, name="schemathesis")
print(key)
