import json

import pytest
from django.core.management import CommandError, call_command

from annotations.importing import ImportRejected, import_articles
from annotations.models import Article, Claim, Span
from tests.factories import ActorFactory


def run_import(project, filename, data, **kwargs):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return import_articles(project=project, filename=filename, data=data, **kwargs)


def jsonl(*items):
    return "\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n"


# Plain text


def test_it_imports_plain_text_with_the_first_line_as_title(project):
    report = run_import(project, "a.txt", "\n\n  Kremlin warns NATO  \n\nBody text.\n")
    article = report.articles[0]
    assert article.title == "Kremlin warns NATO"
    assert article.body == "\n\n  Kremlin warns NATO  \n\nBody text.\n"


def test_it_normalises_line_ends_and_unicode_before_hashing(project):
    report = run_import(project, "a.txt", "Title\r\nCafe\u0301 in Kyiv\rend".encode())
    article = Article.objects.get(pk=report.articles[0].pk)
    assert article.body == "Title\nCaf\u00e9 in Kyiv\nend"
    again = run_import(project, "b.txt", "Title\nCaf\u00e9 in Kyiv\nend")
    assert again.imported == 0
    assert again.duplicates[0].existing_article_id == article.pk


def test_it_drops_a_byte_order_mark(project):
    report = run_import(project, "a.txt", b"\xef\xbb\xbfTitle\nBody")
    assert report.articles[0].body == "Title\nBody"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Title\nok line\n\xff\xfe broken", "a.txt, line 3: the file is not valid UTF-8"),
        (b"", "a.txt: the file is empty."),
        (b"  \n\t\n", "a.txt: the file is empty."),
    ],
)
def test_it_rejects_unreadable_text(project, data, reason):
    with pytest.raises(ImportRejected) as error:
        run_import(project, "a.txt", data)
    assert str(error.value).startswith(reason)
    assert not Article.objects.exists()


def test_it_rejects_a_file_whose_format_it_cannot_tell(project):
    with pytest.raises(ImportRejected, match="cannot tell the format"):
        run_import(project, "a.docx", "hello")


# HTML


PAGE = """<!doctype html><html lang="en"><head><title>Russia warns NATO | IRIA</title>
<meta property="og:title" content="Russia warns US, NATO against deploying troops">
<meta property="article:published_time" content="2021-04-09T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/europe">Europe</a></nav>
<article><h1>Russia warns US, NATO against deploying troops</h1>
<p>Russia has warned the U.S. and NATO against sending troops to Ukraine after Kiev accused
Moscow of building up troops on its border. Kremlin spokesperson Dmitry Peskov told
reporters that Russia would be forced to take extra measures.</p>
<p>“There is no doubt such a scenario would lead to a further increase in tensions close to
Russia’s borders,” Peskov said. &lt;script&gt; stays text.</p></article>
<footer>Copyright 2024 IRIA. Subscribe to our newsletter.</footer></body></html>"""


def test_it_reduces_an_html_page_to_its_main_text_and_title(project):
    article = run_import(project, "page.html", PAGE).articles[0]
    assert article.title == "Russia warns US, NATO against deploying troops"
    assert "Kremlin spokesperson Dmitry Peskov" in article.body
    assert "<script> stays text." in article.body
    assert "Subscribe to our newsletter" not in article.body
    assert "<p>" not in article.body


def test_it_takes_the_publication_date_from_the_page_metadata(project):
    article = run_import(project, "page.html", PAGE).articles[0]
    assert str(article.published) == "2021-04-09"


@pytest.mark.parametrize(
    "page",
    [
        PAGE.replace('<meta property="article:published_time" content="2021-04-09T10:00:00Z">', ""),
        PAGE.replace(
            '<meta property="article:published_time" content="2021-04-09T10:00:00Z">', ""
        ).replace("<p>Russia has", "<p>Published 12 March 2022. Russia has"),
    ],
    ids=["copyright-footer", "date-in-the-text"],
)
def test_it_leaves_the_date_empty_without_metadata_never_reading_the_text(project, page):
    article = run_import(project, "page.html", page).articles[0]
    assert article.published is None


def test_it_rejects_an_html_page_without_text(project):
    with pytest.raises(ImportRejected, match="page.html: no article text"):
        run_import(project, "page.html", "<html><body><nav></nav></body></html>")
    assert not Article.objects.exists()


# JSONL


def test_it_imports_jsonl_with_metadata_and_pre_annotated_spans(project, annotator):
    ActorFactory(project=project, name="Dmitry Peskov").aliases.create(name="Peskov")
    text = "Peskov warned NATO 🇺🇦 about 北约."
    data = jsonl(
        {
            "title": "Warning",
            "text": text,
            "url": "https://example.org/a",
            "published": "2021-04-09",
            "source": "IRIA",
            "external_id": "iria-1",
            "metadata": {"section": "Europe"},
            "spans": [
                {"start": 0, "end": 6, "label": "actor", "actor": "peskov", "quote": "Peskov"},
                {
                    "start": text.index("北"),
                    "end": text.index("."),
                    "label": "actor",
                    "quote": "北约",
                },
            ],
        },
        {"text": "Second article\nbody"},
    )
    report = run_import(project, "a.jsonl", data, annotator=annotator)
    assert report.imported == 2
    assert report.span_count == 2
    first = report.articles[0]
    assert (first.source, first.external_id, str(first.published)) == (
        "IRIA",
        "iria-1",
        "2021-04-09",
    )
    assert first.metadata == {"section": "Europe"}
    spans = Span.objects.filter(annotation_set__article=first).order_by("start")
    assert [(s.quote, s.actor and s.actor.name) for s in spans] == [
        ("Peskov", "Dmitry Peskov"),
        ("北约", None),
    ]
    assert spans[0].annotation_set.annotator == annotator
    assert report.articles[1].title == "Second article"


def test_it_moves_span_offsets_onto_the_normalised_text(project, annotator):
    text = "Line one\r\nCafe\u0301 de Flore\r\nPeskov"
    start = text.index("Peskov")
    data = jsonl({"text": text, "spans": [{"start": start, "end": start + 6, "label": "actor"}]})
    article = run_import(project, "a.jsonl", data, annotator=annotator).articles[0]
    span = Span.objects.get(annotation_set__article=article)
    assert span.quote == "Peskov" == article.body[span.start : span.end]


BAD_JSONL = [
    ('{"text": "ok"}\n{"text": "broken"\n', "a.jsonl, line 2: malformed JSON"),
    ('{"text": "ok"}\n\n["a list"]\n', "a.jsonl, line 3: each line must be a JSON object"),
    ('{"title": "no text"}\n', "a.jsonl, line 1: 'text' is missing or empty"),
    ('{"text": "ok", "published": "yesterday"}\n', "line 1: 'published' 'yesterday' is not a date"),
    ('{"text": "ok", "url": "javascript:alert(1)"}\n', "line 1: 'url' 'javascript:alert(1)'"),
    ('{"text": "ok", "metadata": [1]}\n', "line 1: 'metadata' must be a JSON object"),
    ('{"text": "ok", "title": 5}\n', "line 1: 'title' must be a string"),
]


@pytest.mark.parametrize(("data", "reason"), BAD_JSONL)
def test_it_rejects_bad_jsonl_naming_the_line_and_stores_nothing(project, data, reason):
    with pytest.raises(ImportRejected) as error:
        run_import(project, "a.jsonl", data)
    assert reason in str(error.value)
    assert not Article.objects.exists()


BAD_SPANS = [
    ({"start": 0, "end": 99, "label": "actor"}, "span 1: end 99 is beyond the text"),
    ({"start": 3, "end": 3, "label": "actor"}, "span 1: start 3 must be before end 3"),
    ({"start": -1, "end": 3, "label": "actor"}, "span 1: start -1 is negative"),
    ({"start": "0", "end": 3, "label": "actor"}, "span 1: start and end must be whole numbers"),
    ({"start": 0, "end": 6, "label": "actor", "quote": "Pesk0v"}, "span 1: The quote 'Pesk0v'"),
    ({"start": 0, "end": 6, "label": "nope"}, "span 1: unknown label 'nope'"),
    ({"start": 0, "end": 6, "label": "actor", "actor": "Nobody"}, "no actor named 'Nobody'"),
    ({"start": 0, "end": 6, "label": ["actor"]}, "span 1: unknown label ['actor']"),
    ({"start": 0, "end": 6, "label": {"name": "actor"}}, "span 1: unknown label {'name': 'actor'}"),
    ({"start": 0, "end": 6, "label": "actor", "actor": ["Peskov"]}, "span 1: 'actor' must be"),
]


@pytest.mark.parametrize(("span", "reason"), BAD_SPANS)
def test_it_rejects_a_bad_span_and_stores_nothing_of_the_file(project, annotator, span, reason):
    data = jsonl(
        {
            "text": "A good article with a good span",
            "spans": [{"start": 0, "end": 1, "label": "actor"}],
        },
        {"text": "Peskov warned.", "spans": [span]},
    )
    with pytest.raises(ImportRejected) as error:
        run_import(project, "a.jsonl", data, annotator=annotator)
    assert "a.jsonl, line 2: " in str(error.value)
    assert reason in str(error.value)
    assert not Article.objects.exists()
    assert not Span.objects.exists()


def test_it_needs_an_annotator_for_spans(project):
    data = jsonl({"text": "Peskov warned.", "spans": [{"start": 0, "end": 6, "label": "actor"}]})
    with pytest.raises(ImportRejected, match="line 1: the article has spans but no annotator"):
        run_import(project, "a.jsonl", data)


def test_it_takes_the_annotator_named_in_the_record_if_a_member(project, annotator, outsider):
    record = {
        "text": "Peskov",
        "annotator": "anna",
        "spans": [{"start": 0, "end": 6, "label": "actor"}],
    }
    run_import(project, "a.jsonl", jsonl(record))
    assert Span.objects.get().annotation_set.annotator == annotator
    record = {**record, "text": "Peskov!", "annotator": outsider.username}
    with pytest.raises(ImportRejected, match="'annotator' 'oscar' is not a member"):
        run_import(project, "b.jsonl", jsonl(record))


# CSV


def test_it_imports_csv_with_quoted_newlines_and_extra_columns_as_metadata(project):
    data = (
        "title,text,url,published,region\r\n"
        '"First","Line one\r\nline two, with a comma",https://example.org/1,2021-04-09,Europe\r\n'
        "Second,Another article,,,\r\n"
    )
    report = run_import(project, "a.csv", data)
    first, second = report.articles
    assert first.body == "Line one\nline two, with a comma"
    assert first.metadata == {"region": "Europe"}
    assert second.title == "Second" and second.url == ""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("title,body\nA,B\n", "a.csv, line 1: the header row has no 'text' column"),
        ("title,text\nA,ok\nB\n", "a.csv, line 3: the row has 1 fields but the header has 2"),
        ('title,text\nA,ok\n"B","unterminated\n', "a.csv, line 3"),
        ("title,text\nA,ok\nB,\n", "a.csv, line 3: 'text' is missing or empty"),
        ("title,text,published\nA,ok,2021-13-45\n", "line 2: 'published' '2021-13-45'"),
    ],
)
def test_it_rejects_bad_csv_naming_the_line_and_stores_nothing(project, data, reason):
    with pytest.raises(ImportRejected) as error:
        run_import(project, "a.csv", data)
    assert reason in str(error.value)
    assert not Article.objects.exists()


# Duplicates


def test_it_reports_duplicates_within_a_file_and_across_imports(project):
    first = run_import(
        project, "a.jsonl", jsonl({"text": "Same"}, {"text": "Other"}, {"text": "Same"})
    )
    assert first.imported == 2
    assert [(d.line, d.existing_article_id) for d in first.duplicates] == [(3, None)]
    again = run_import(project, "b.jsonl", jsonl({"text": "Same"}, {"text": "New"}))
    assert again.imported == 1
    assert again.duplicates[0].existing_article_id == first.articles[0].pk
    assert Article.objects.count() == 3


# The command


def test_the_command_imports_several_files_and_summarises(project, tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Title A\nBody A")
    (tmp_path / "b.jsonl").write_text(
        jsonl({"text": "Body B"}, {"text": "Body A".join(["Title A\n", ""])})
    )
    call_command(
        "import_articles",
        str(tmp_path / "a.txt"),
        str(tmp_path / "b.jsonl"),
        project="demo",
        no_progress=True,
    )
    out = capsys.readouterr().out
    assert (
        "Imported 2 article(s) with 0 span(s); 1 duplicate(s) skipped; 0 file(s) rejected." in out
    )
    assert "b.jsonl, line 2: duplicate of an existing article" in out


def test_the_command_rejects_a_bad_file_but_keeps_the_good_one(project, tmp_path, capsys):
    (tmp_path / "good.txt").write_text("Good\nBody")
    (tmp_path / "bad.jsonl").write_text('{"text": "fine"}\n{oops}\n')
    with pytest.raises(CommandError, match="1 file\\(s\\) rejected"):
        call_command(
            "import_articles",
            str(tmp_path / "good.txt"),
            str(tmp_path / "bad.jsonl"),
            project="demo",
            no_progress=True,
        )
    captured = capsys.readouterr()
    assert "bad.jsonl, line 2: malformed JSON" in captured.err
    assert list(Article.objects.values_list("title", flat=True)) == ["Good"]


def test_the_command_names_an_unknown_project(db, tmp_path):
    with pytest.raises(CommandError, match="No project with the slug 'nope'"):
        call_command("import_articles", str(tmp_path / "x.txt"), project="nope")


@pytest.mark.parametrize(
    "line",
    [
        {
            "text": "Peskov warned.",
            "spans": [{"id": [1], "start": 0, "end": 6, "label": "actor"}],
            "claims": [{"span": 0, "type": "warning"}],
        },
        {
            "text": "Peskov warned.",
            "spans": [{"start": 0, "end": 6, "label": "actor"}],
            "claims": [{"span": [0], "type": "warning"}],
        },
        {
            "text": "Peskov warned.",
            "spans": [{"start": 0, "end": 6, "label": "actor"}],
            "threat_assessment": {"level": ["low"]},
        },
    ],
)
def test_it_rejects_values_of_the_wrong_type_in_native_lines(project, annotator, line):
    with pytest.raises(ImportRejected, match="a.jsonl, line 1: "):
        run_import(project, "a.jsonl", jsonl(line), format="native", annotator=annotator)
    assert not Article.objects.exists()


def test_it_ignores_an_empty_claim_target_in_a_native_line(project, annotator):
    ActorFactory(project=project, name="NATO")
    line = {
        "text": "Peskov warned NATO.",
        "spans": [{"start": 0, "end": 6, "label": "actor"}],
        "claims": [{"span": 0, "claim_type": "warning", "targets": ["", "NATO"]}],
    }
    run_import(project, "a.jsonl", jsonl(line), format="native", annotator=annotator)
    [claim] = Claim.objects.all()
    assert [actor.name for actor in claim.targets.all()] == ["NATO"]


# Large files: read as a stream, stored in batches, still whole or not at all.


def test_a_bad_line_after_several_stored_batches_stores_nothing_of_the_file(
    project, annotator, monkeypatch, tmp_path
):
    from annotations.importing import storing
    from annotations.models import AnnotationSet, HistoryRecord

    monkeypatch.setattr(storing, "WRITE_BATCH", 2)
    good = [
        {"text": f"Article {n} about NATO.", "spans": [{"start": 14, "end": 18, "label": "actor"}]}
        for n in range(5)
    ]
    path = tmp_path / "big.jsonl"
    path.write_text(jsonl(*good) + '{"text": "Sixth", "spans": [{"start": 0}]}\n')
    history_before = HistoryRecord.objects.count()
    with path.open("rb") as stream, pytest.raises(ImportRejected) as rejected:
        import_articles(project=project, filename="big.jsonl", data=stream, annotator=annotator)
    assert rejected.value.line == 6
    assert not Article.objects.filter(project=project).exists()
    assert not AnnotationSet.objects.exists()
    assert HistoryRecord.objects.count() == history_before


def test_it_imports_a_file_read_as_a_stream_in_batches(project, annotator, monkeypatch, tmp_path):
    from annotations.importing import storing

    monkeypatch.setattr(storing, "WRITE_BATCH", 2)
    items = [
        {"text": f"Article {n} about NATO.", "spans": [{"start": 14, "end": 18, "label": "actor"}]}
        for n in range(5)
    ]
    path = tmp_path / "big.jsonl"
    path.write_text(jsonl(*items, items[1]))  # the last line repeats the second
    with path.open("rb") as stream:
        report = import_articles(
            project=project, filename="big.jsonl", data=stream, annotator=annotator
        )
    assert [a.title for a in report.articles] == [f"Article {n} about NATO." for n in range(5)]
    assert report.span_count == 5
    assert [(d.line, d.existing_article_id) for d in report.duplicates] == [(6, None)]
    assert Span.objects.filter(annotation_set__article__project=project).count() == 5


@pytest.mark.postgres_only
@pytest.mark.parametrize("pending", ["before", "after"])
def test_an_import_inside_a_callers_transaction_keeps_its_foreign_key_checks_deferred(
    project, pending
):
    """Django's foreign-key checks wait for the commit: a row may name a parent written (or
    itself removed) later in the transaction. An import inside the caller's transaction
    leaves that so, before and after it."""
    from django.db import transaction

    from annotations.models import ActorAlias

    with transaction.atomic():
        if pending == "before":
            alias = ActorAlias.objects.create(actor_id=2_000_000_000, name="no actor yet")
        run_import(project, "a.txt", "Title\nBody")
        if pending == "after":
            alias = ActorAlias.objects.create(actor_id=2_000_000_000, name="no actor yet")
        alias.delete()  # gone before the commit: the deferred check never sees it
    assert Article.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_import_of_its_own_checks_every_row_as_written_and_stores_it_whole(project, annotator):
    """Alone in its transaction, an import on PostgreSQL checks each row's references as it
    writes it: parents first (articles, sets, spans, claims and their targets, the threat
    assessment, the history), so a whole pre-annotated file passes."""
    from annotations.models import ThreatAssessment

    nato = ActorFactory(project=project, name="NATO")
    line = {
        "text": "Peskov warned NATO.",
        "spans": [
            {"start": 0, "end": 6, "label": "actor"},
            {"start": 14, "end": 18, "label": "actor", "actor": "NATO"},
        ],
        "claims": [{"span": 0, "claim_type": "warning", "targets": ["NATO"]}],
        "threat_assessment": {
            "level": project.threat_levels.order_by("rank").last().name,
            "rationale": "x",
            "claims": [0],
        },
    }
    run_import(
        project,
        "a.jsonl",
        jsonl(line, line | {"text": "Peskov warned NATO!"}),
        format="native",
        annotator=annotator,
    )
    assert Span.objects.filter(actor=nato).count() == 2
    assert [list(c.targets.all()) for c in Claim.objects.all()] == [[nato], [nato]]
    assert ThreatAssessment.objects.count() == 2
