"""Create the demo project for the seed article. Safe to run again: it only adds what is missing."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from annotations.assignment import assignment_create
from annotations.importing import import_articles
from annotations.models import Actor, ActorAlias, AnnotationSet, Membership, Project, Role
from annotations.services import guidelines_update, project_add_defaults

SEED_ARTICLE = settings.BASE_DIR / "seeds" / "iria-russia-warns-us-nato-ukraine.txt"
CREDENTIALS_FILE = settings.BASE_DIR / "var" / "demo-credentials.txt"

PROJECT = {
    "slug": "russia-ukraine-demo",
    "name": "Russia, NATO and Ukraine (demo)",
    "description": "Demo project: statements on troop deployments around Ukraine.",
}
GUIDELINES = """\
Mark every mention of an actor (state, organisation, government body, person) with the
"actor" label and link it to the registry; link a spokesperson's words to the spokesperson.
Mark places with "location" and armed forces with "military force".
Mark the sentence or clause that states a claim with "claim", then create a claim for it:
claimant, targets, claim type, and the Admiralty grading if you can judge the source.
Give the article one threat level, with a rationale that names the claims it rests on.
The page's navigation and footer are part of the captured text: leave them unlabelled.
"""

# canonical name, kind, affiliation, Wikidata QID, aliases, description
ACTORS = [
    ("Russia", "state", None, "Q159", ["Russian Federation", "Moscow", "the Russian side"], ""),
    ("Ukraine", "state", None, "Q212", ["Kiev", "Kyiv"], ""),
    ("United States", "state", None, "Q30", ["US", "U.S.", "USA", "Washington"], ""),
    (
        "NATO",
        "international_organisation",
        None,
        "Q7184",
        ["North Atlantic Treaty Organization", "the Alliance"],
        "",
    ),
    (
        "the Kremlin",
        "government_body",
        "Russia",
        "",
        ["Kremlin"],
        "Office of the Russian president.",
    ),
    (
        "Dmitry Peskov",
        "person",
        "the Kremlin",
        "",
        ["Peskov", "Kremlin spokesperson"],
        "Press secretary of the Russian president.",
    ),
    (
        "Volodymyr Zelensky",
        "person",
        "Ukraine",
        "Q3881980",
        ["Zelensky", "Zelenskyy", "Ukrainian President"],
        "President of Ukraine.",
    ),
    ("Joe Biden", "person", "United States", "Q6279", ["Biden", "U.S. President"], ""),
    ("White House", "government_body", "United States", "", [], ""),
    (
        "Lloyd Austin",
        "person",
        "United States",
        "",
        ["Austin", "U.S. Defense Secretary"],
        "US Secretary of Defense.",
    ),
    ("Andrii Taran", "person", "Ukraine", "", ["Taran"], "Ukrainian Minister of Defence."),
]

USERS = [
    # username, first name, roles
    ("manager", "Maria", [Role.MANAGER]),
    ("annotator1", "Anna", [Role.ANNOTATOR]),
    ("annotator2", "Alex", [Role.ANNOTATOR]),
    ("reviewer", "Rita", [Role.REVIEWER]),
]


class Command(BaseCommand):
    help = "Create (or complete) the demo project, its users and the seed article."

    def handle(self, *args, **options):
        with transaction.atomic():
            project, created = Project.objects.get_or_create(slug=PROJECT["slug"], defaults=PROJECT)
            project_add_defaults(project=project)
            if project.current_guideline() is None:
                guidelines_update(project=project, text=GUIDELINES)
            self.create_actors(project)
            passwords = self.create_users(project)
            article = self.import_article(project)
            # The manager assigns the article to both annotators, through the assignment
            # service (each set recorded in the history), unless it is assigned already.
            users = get_user_model().objects
            manager = users.get(username="manager")
            for username in ("annotator1", "annotator2"):
                annotator = users.get(username=username)
                if not AnnotationSet.objects.filter(article=article, annotator=annotator).exists():
                    assignment_create(article=article, annotator=annotator, user=manager)
        self.stdout.write(
            f"{'Created' if created else 'Checked'} project {project.slug!r} "
            f"with {project.articles.count()} article(s)."
        )
        if passwords:
            CREDENTIALS_FILE.parent.mkdir(exist_ok=True)
            lines = [f"{username}  {password}" for username, password in passwords.items()]
            CREDENTIALS_FILE.write_text("\n".join(lines) + "\n")
            CREDENTIALS_FILE.chmod(0o600)
            self.stdout.write("Demo users (username  password), shown once:")
            for line in lines:
                self.stdout.write(f"  {line}")

    def create_actors(self, project: Project) -> None:
        for name, kind, affiliation, qid, aliases, description in ACTORS:
            actor, _ = Actor.objects.get_or_create(
                project=project,
                name=name,
                defaults={
                    "kind": kind,
                    "external_id": qid,
                    "description": description,
                    "affiliation": (
                        Actor.objects.get(project=project, name=affiliation)
                        if affiliation
                        else None
                    ),
                },
            )
            for alias in aliases:
                ActorAlias.objects.get_or_create(actor=actor, name=alias)

    def create_users(self, project: Project) -> dict[str, str]:
        """Create missing demo users; return the passwords of those created."""
        User = get_user_model()
        passwords = {}
        for username, first_name, roles in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = settings.SEED_PASSWORD or secrets.token_urlsafe(12)
                user = User.objects.create_user(
                    username=username, first_name=first_name, password=password
                )
                passwords[username] = password
            for role in roles:
                Membership.objects.get_or_create(user=user, project=project, role=role)
        return passwords

    def import_article(self, project: Project):
        data = Path(SEED_ARTICLE).read_bytes()
        report = import_articles(project=project, filename=SEED_ARTICLE.name, data=data)
        if report.articles:
            article = report.articles[0]
            article.source = "IRIA - International Relations Insights & Analysis"
            article.language = "en"
            article.save(update_fields=["source", "language"])
            return article
        existing_id = report.duplicates[0].existing_article_id
        assert existing_id is not None  # one article: it cannot repeat within its own file
        return project.articles.get(pk=existing_id)
