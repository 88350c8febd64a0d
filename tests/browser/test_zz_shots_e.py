from annotations import services
from annotations.models import Article
from tests.browser.test_annotate import SEED_PASSWORD, TRICKY_BODY, seeded  # noqa: F401
from tests.factories import AnnotationSetFactory, ArticleFactory


def test_shots(login, seeded, browser):  # noqa: F811
    article = Article.objects.get(project__slug="russia-ukraine-demo")
    project = article.project
    page = login(seeded, password=SEED_PASSWORD)
    base = page.url
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{base}projects/{project.slug}/articles/{article.pk}/")
    page.locator("#article-body").wait_for()
    page.get_by_role("link", name="Suggest from aliases").click()
    page.locator("#suggestions h2").wait_for()
    for _ in range(4):
        page.keyboard.press("Enter")
        page.wait_for_timeout(1200)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(500)
    page.screenshot(path="docs/screenshots/annotate-seed.png")
    page.set_viewport_size({"width": 800, "height": 900})
    page.wait_for_timeout(300)
    page.screenshot(path="/tmp/e_seed_800.png")

    crowded = ArticleFactory(
        project=project, title="Crowded: overlapping and nested spans", body=TRICKY_BODY
    )
    s = AnnotationSetFactory(article=crowded, annotator=seeded)
    L = {label.name: label for label in project.labels.all()}
    body = crowded.body
    for text, label in [
        ("Zelensky 🇺🇦 said troops moved", "claim"),
        ("Zelensky", "actor"),
        ("troops", "military force"),
        ("troops moved. Talks", "event"),
        ("Geneva", "location"),
        ("北约峰会 opened in Vilnius", "event"),
        ("北约峰会", "actor"),
        ("Vilnius", "location"),
        ("قال المتحدث باسم الكرملين إن روسيا سترد", "claim"),
        ("الكرملين", "actor"),
        ("Then NATO answered", "claim"),
        ("NATO", "actor"),
    ]:
        at = body.index(text)
        services.span_create(
            annotation_set=s, start=at, end=at + len(text), quote=text, label=L[label], user=seeded
        )
    page.set_viewport_size({"width": 1440, "height": 700})
    page.goto(f"{base}projects/{project.slug}/articles/{crowded.pk}/")
    page.locator("#article-body").wait_for()
    page.locator(".seg", has_text="troops").first.click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)
    page.screenshot(path="docs/screenshots/annotate-crowded.png")
