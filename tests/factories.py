import factory
from django.contrib.auth import get_user_model

from annotations import models
from annotations.models import sha256_of


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Project

    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    user = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    role = models.Role.ANNOTATOR


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Label

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"label{n}")


class ClaimTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ClaimType

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"claim type {n}")


class ThreatLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ThreatLevel

    project = factory.SubFactory(ProjectFactory)
    rank = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"level {n}")


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Actor

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Actor {n}")
    kind = models.Actor.Kind.STATE


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Article

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Article {n}")
    body = factory.Sequence(lambda n: f"Article {n}: Russia warned NATO on Tuesday.\nMore text.")
    body_sha256 = factory.LazyAttribute(lambda o: sha256_of(o.body))


class AnnotationSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AnnotationSet

    article = factory.SubFactory(ArticleFactory)
    annotator = factory.SubFactory(UserFactory)


class SpanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Span

    annotation_set = factory.SubFactory(AnnotationSetFactory)
    start = 0
    end = 7
    quote = factory.LazyAttribute(lambda o: o.annotation_set.article.body[o.start : o.end])
    label = factory.LazyAttribute(lambda o: LabelFactory(project=o.annotation_set.article.project))
