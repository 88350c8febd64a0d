"""A deterministic generator of realistic projects for benchmarks and scale tests.

Articles are ~3,000 characters of news-like text (typographic quotes, non-breaking spaces,
accented names, some emoji), with ~80 spans each across labels and actors, claims and a
threat assessment; two annotators' sets that disagree the way people do (missed spans,
shifted boundaries, other labels) and the adjudicated gold set.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from annotations.models import (
    Actor,
    ActorAlias,
    AnnotationSet,
    Article,
    Claim,
    Credibility,
    Membership,
    Project,
    Reliability,
    Role,
    Span,
    ThreatAssessment,
    sha256_of,
)
from annotations.services import guidelines_update, project_add_defaults

# canonical name, kind, aliases
ACTORS = [
    ("Russia", "state", ["Moscow", "the Russian Federation"]),
    ("Ukraine", "state", ["Kyiv", "Kiev"]),
    ("United States", "state", ["Washington", "the U.S."]),
    ("NATO", "international_organisation", ["the Alliance"]),
    ("the Kremlin", "government_body", ["Kremlin"]),
    ("Dmitry Peskov", "person", ["Peskov"]),
    ("Volodymyr Zelensky", "person", ["Zelensky"]),
    ("Joe Biden", "person", ["Biden"]),
    ("Lloyd Austin", "person", ["Austin"]),
    ("Andrii Taran", "person", ["Taran"]),
    ("José Manuel Albares", "person", ["Albares"]),
    ("Annalena Baerbock", "person", ["Baerbock"]),
    ("Recep Tayyip Erdoğan", "person", ["Erdoğan"]),
    ("Türkiye", "state", ["Ankara"]),
    ("Belarus", "state", ["Minsk"]),
    ("Wagner Group", "armed_group", ["Wagner"]),
    ("European Union", "international_organisation", ["the EU", "Brussels"]),
    ("Sergei Lavrov", "person", ["Lavrov"]),
    ("Łukasz Kamiński", "person", ["Kamiński"]),
    ("Søren Østergaard", "person", ["Østergaard"]),
]
PLACES = [
    "Donetsk",
    "Crimea",
    "the Black Sea",
    "Kharkiv",
    "Mariupol",
    "the Baltic",
    "Odesa",
    "Zaporizhzhia",
    "Belgorod",
    "the North Atlantic",
]
FORCES = [
    "troops",
    "warships",
    "armoured brigades",
    "air-defence units",
    "paratroopers",
    "fighter jets",
    "artillery batteries",
]
EVENTS = [
    "military exercise",
    "troop build-up",
    "ceasefire talks",
    "border incident",
    "missile strike",
    "naval patrol",
]
EMOJI = ["🇺🇦", "🇷🇺", "🇺🇸", "⚠️", "📰", "🛰️"]
VERBS = ["warned", "accused", "told reporters that", "said", "denied that", "claimed that"]
FILLER = [
    "Analysts cautioned that the statement followed weeks of rising rhetoric on both sides, "
    "and that diplomatic channels remained open despite the public exchange. ",
    "The ministry did not respond to a request for comment on Tuesday evening, and a "
    "spokesperson declined to say whether further talks had been scheduled. ",
    "Satellite images published by a commercial provider appeared to show new encampments, "
    "though independent verification was not possible at the time of writing. ",
    "Markets reacted calmly to the news, with energy prices little changed by the close of "
    "trading in Europe and Asia. ",
]
CLAIM_TYPES = ["warning", "accusation", "denial", "threat", "statement of support", "other"]


@dataclass
class Mention:
    start: int
    end: int
    label: str
    actor: str | None = None


@dataclass
class GeneratedArticle:
    title: str
    body: str
    mentions: list[Mention] = field(default_factory=list)
    claims: list[tuple[int, int, str | None, list[str]]] = field(default_factory=list)


class _Writer:
    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.mentions: list[Mention] = []

    def text(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def mention(self, text: str, label: str, actor: str | None = None) -> Mention:
        mention = Mention(self.length, self.length + len(text), label, actor)
        self.text(text)
        self.mentions.append(mention)
        return mention


def generate_article(rng: random.Random, number: int, target_length: int = 3000):
    writer = _Writer()
    title_actor = rng.choice(ACTORS)
    title = f"{title_actor[0]} {rng.choice(['warns', 'accuses', 'rebuffs'])} "
    title += f"{rng.choice(ACTORS)[0]} over {rng.choice(PLACES)} ({number})"
    writer.text(title + "\n\n")
    claims: list[tuple[int, int, str | None, list[str]]] = []
    while writer.length < target_length:
        speaker = rng.choice(ACTORS)
        target = rng.choice(ACTORS)
        sentence_start = writer.length
        speaker_text = rng.choice([speaker[0], *speaker[2]])
        writer.mention(speaker_text, "actor", speaker[0])
        writer.text(f" {rng.choice(VERBS)} ")
        target_text = rng.choice([target[0], *target[2]])
        writer.mention(target_text, "actor", target[0])
        writer.text(" that\u00a0")
        writer.mention(f"{rng.randint(2, 90)} {rng.choice(FORCES)}", "military force")
        writer.text(" near ")
        writer.mention(rng.choice(PLACES), "location")
        writer.text(" would face “")
        writer.mention(rng.choice(EVENTS), "event")
        writer.text("” within days")
        if rng.random() < 0.15:
            writer.text(f" {rng.choice(EMOJI)}")
        writer.text(". ")
        if rng.random() < 0.3:
            writer.text("Officials in ")
            writer.mention(rng.choice(PLACES), "location")
            writer.text(" said the ")
            writer.mention(rng.choice(EVENTS), "event")
            writer.text(" had been planned for weeks. ")
        sentence_end = writer.length - 1
        if rng.random() < 0.35:
            writer.mentions.append(Mention(sentence_start, sentence_end, "claim"))
            claims.append((sentence_start, sentence_end, speaker[0], [target[0]]))
        if rng.random() < 0.75:
            writer.text(rng.choice(FILLER))
        if rng.random() < 0.2:
            writer.text("\n\n")
    return GeneratedArticle(title, "".join(writer.parts), writer.mentions, claims)


def disagree(rng: random.Random, mentions: list[Mention], labels: list[str]) -> list[Mention]:
    """A second annotator's version: some spans missed, some boundaries shifted, some relabelled."""
    result = []
    for mention in mentions:
        roll = rng.random()
        if roll < 0.08:
            continue
        if roll < 0.13 and mention.end - mention.start > 3:
            result.append(Mention(mention.start, mention.end - 1, mention.label, mention.actor))
        elif roll < 0.18:
            result.append(Mention(mention.start, mention.end, rng.choice(labels), mention.actor))
        else:
            result.append(mention)
    return result


PASSWORD = "bench-password"


@functools.cache
def _password_hash() -> str:
    # Hashing is slow on purpose; hash once and give every bench user the same password.
    return make_password(PASSWORD)


def ensure_user(username: str):
    """A user whose password is PASSWORD."""
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"password": _password_hash()}
    )
    return user


def ensure_users(project: Project, prefix: str):
    users = {}
    for name, role in [
        ("manager", Role.MANAGER),
        ("annotator1", Role.ANNOTATOR),
        ("annotator2", Role.ANNOTATOR),
        ("reviewer", Role.REVIEWER),
    ]:
        user = ensure_user(f"{prefix}-{name}")
        Membership.objects.get_or_create(user=user, project=project, role=role)
        users[name] = user
    return users


def create_project(slug: str, *, prefix: str | None = None) -> tuple[Project, dict]:
    project, _ = Project.objects.get_or_create(slug=slug, defaults={"name": slug})
    project_add_defaults(project=project)
    if project.current_guideline() is None:
        guidelines_update(project=project, text="Label every actor, place and force.")
    for name, kind, aliases in ACTORS:
        actor, _ = Actor.objects.get_or_create(project=project, name=name, defaults={"kind": kind})
        for alias in aliases:
            ActorAlias.objects.get_or_create(actor=actor, name=alias)
    return project, ensure_users(project, prefix or slug)


def generate_project(
    slug: str, n_articles: int, *, seed: int = 1, batch: int = 200, annotated: bool = True
) -> Project:
    """A project of `n_articles` articles, each with two annotators' sets and a gold set
    (or, with annotated=False, none: articles waiting for annotators)."""
    rng = random.Random(seed)
    project, users = create_project(slug)
    labels = {label.name: label for label in project.labels.all()}
    actors = {actor.name: actor for actor in project.actors.all()}
    claim_types = {ct.name: ct for ct in project.claim_types.all()}
    levels = list(project.threat_levels.all())
    guideline = project.current_guideline()
    label_names = ["actor", "location", "military force", "event"]
    for offset in range(0, n_articles, batch):
        generated = [
            generate_article(rng, number)
            for number in range(offset, min(offset + batch, n_articles))
        ]
        with transaction.atomic():
            if not annotated:
                _write_articles(project, generated)
                continue
            _write(
                project,
                generated,
                rng,
                users,
                labels,
                actors,
                claim_types,
                levels,
                guideline,
                label_names,
            )
    return project


def _write_articles(project, generated) -> list[Article]:
    return Article.objects.bulk_create(
        Article(
            project=project,
            title=g.title,
            body=g.body,
            body_sha256=sha256_of(g.body),
            source="Bench Wire",
            language="en",
        )
        for g in generated
    )


def _write(
    project, generated, rng, users, labels, actors, claim_types, levels, guideline, label_names
):
    now = timezone.now()
    articles = _write_articles(project, generated)
    set_rows = []
    for article in articles:
        for name in ("annotator1", "annotator2"):
            set_rows.append(
                AnnotationSet(
                    article=article,
                    annotator=users[name],
                    status=AnnotationSet.Status.SUBMITTED,
                    guideline_version=guideline,
                    submitted_at=now,
                )
            )
        set_rows.append(
            AnnotationSet(
                article=article,
                is_gold=True,
                status=AnnotationSet.Status.APPROVED,
                guideline_version=guideline,
            )
        )
    sets = AnnotationSet.objects.bulk_create(set_rows)
    spans, span_keys = [], []
    for index, g in enumerate(generated):
        first, second, gold = sets[3 * index : 3 * index + 3]
        versions = [
            (first, g.mentions),
            (second, disagree(rng, g.mentions, label_names)),
            (gold, g.mentions),
        ]
        for annotation_set, mentions in versions:
            for m in mentions:
                spans.append(
                    Span(
                        annotation_set=annotation_set,
                        start=m.start,
                        end=m.end,
                        quote=g.body[m.start : m.end],
                        label=labels[m.label],
                        actor=actors.get(m.actor) if m.actor else None,
                    )
                )
                span_keys.append((annotation_set.pk, m.start, m.end))
    Span.objects.bulk_create(spans, batch_size=5000)
    by_key = dict(zip(span_keys, spans, strict=True))
    claims, claim_targets = [], []
    for index, g in enumerate(generated):
        for annotation_set in sets[3 * index : 3 * index + 3]:
            for start, end, claimant, targets in g.claims:
                span = by_key.get((annotation_set.pk, start, end))
                if span is None:
                    continue
                claims.append(
                    Claim(
                        annotation_set=annotation_set,
                        span=span,
                        claimant=actors[claimant],
                        claim_type=claim_types[rng.choice(CLAIM_TYPES)],
                        reliability=rng.choice(Reliability.values),
                        credibility=rng.choice(Credibility.values),
                    )
                )
                claim_targets.append([actors[t] for t in targets])
    Claim.objects.bulk_create(claims, batch_size=5000)
    Through = Claim.targets.through
    Through.objects.bulk_create(
        [
            Through(claim_id=c.pk, actor_id=a.pk)
            for c, ts in zip(claims, claim_targets, strict=True)
            for a in ts
        ],
        batch_size=5000,
    )
    ThreatAssessment.objects.bulk_create(
        ThreatAssessment(
            annotation_set=s, level=rng.choice(levels), rationale="Troop movements near the border."
        )
        for s in sets
    )


def write_jsonl(path, n_articles: int, *, seed: int = 1, annotator: str | None = None) -> int:
    """A JSONL import file of pre-annotated articles; returns the number of spans written."""
    rng = random.Random(seed)
    total = 0
    with open(path, "w", encoding="utf-8") as out:
        for number in range(n_articles):
            g = generate_article(rng, number)
            record = {
                "title": g.title,
                "text": g.body,
                "source": "Bench Wire",
                "external_id": f"bench-{number}",
                "spans": [
                    {"start": m.start, "end": m.end, "label": m.label, "actor": m.actor}
                    for m in g.mentions
                ],
            }
            if annotator:
                record["annotator"] = annotator
            total += len(record["spans"])
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return total
