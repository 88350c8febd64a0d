import datetime

from django.utils import timezone

from annotations.models import AnnotationSet
from tests.api.conftest import token_client
from tests.factories import AnnotationSetFactory, ArticleFactory, SpanFactory, UserFactory


def test_it_pages_articles_with_a_cursor(project, reviewer):
    ArticleFactory.create_batch(7, project=project)
    client = token_client(reviewer)
    seen, url = [], "/api/v1/projects/demo/articles/?page_size=3"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 3
        seen += [article["id"] for article in page["results"]]
        url = page["next"]
    assert seen == sorted(project.articles.values_list("id", flat=True))


def test_it_refuses_a_forged_cursor(project, reviewer):
    response = token_client(reviewer).get("/api/v1/projects/demo/articles/?cursor=bogus")
    assert response.status_code == 404


def test_it_filters_sets_by_status_label_annotator_and_update_time(project, reviewer, article):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    first = AnnotationSetFactory(article=article, annotator=alice, status="submitted")
    second = AnnotationSetFactory(article=article, annotator=bob)
    SpanFactory(annotation_set=second, label=project.labels.get(name="location"))
    AnnotationSet.objects.filter(pk=first.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    client = token_client(reviewer)
    base = "/api/v1/projects/demo/annotation-sets/"

    def ids(query):
        return [s["id"] for s in client.get(base + query).json()["results"]]

    assert ids("?status=submitted") == [first.pk]
    assert ids("?label=location") == [second.pk]
    assert ids("?annotator=alice") == [first.pk]
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert ids(f"?updated_since={since}") == [second.pk]
