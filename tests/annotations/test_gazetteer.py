"""The registry gazetteer finds every mention of a registry name in any case, with or without
accents, on word boundaries, the longest where mentions overlap, and never in a region not to
annotate; offsets are code points of the stored text."""

import pytest

from annotations.learning import gazetteer
from annotations.learning.gazetteer import Gazetteer, compile_registry, mentions
from annotations.models import Actor
from tests.factories import ArticleFactory


def found(names, text, blocked=()):
    """The mentions in `text` of the names {actor id: [canonical, alias...]} as (quote, id)."""
    actors = [(pk, names_[0]) for pk, names_ in names.items()]
    aliases = [(pk, alias) for pk, names_ in names.items() for alias in names_[1:]]
    registry = compile_registry(actors, aliases, "test")
    return [(text[s:e], pk) for s, e, pk, _ in mentions(registry, text, blocked)]


def test_it_ignores_case_and_accents_both_ways():
    text = "ZELENSKYY met Zelenskyy; Zelénskyy and ZÉLENSKYY, then the STRASSE and Straße."
    names = {1: ["Zelenskyy"], 2: ["straße"]}
    assert found(names, text) == [
        ("ZELENSKYY", 1),
        ("Zelenskyy", 1),
        ("Zelénskyy", 1),
        ("ZÉLENSKYY", 1),
        ("STRASSE", 2),
        ("Straße", 2),
    ]
    assert found({1: ["Zelénskyy"]}, "zelenskyy said") == [("zelenskyy", 1)]


def test_it_gives_offsets_in_code_points_of_the_stored_text_after_decomposed_accents():
    text = "🇺🇦 Cafe\u0301 Noir\u0301 and cafe noir"  # decomposed é and í, astral flags first
    result = found({7: ["Café Noir"]}, text)
    assert result == [("Cafe\u0301 Noir\u0301", 7), ("cafe noir", 7)]


def test_it_reads_any_run_of_whitespace_as_one_space():
    assert found({1: ["the Kremlin"]}, "The  Kremlin\nand the\tKremlin") == [
        ("The  Kremlin", 1),
        ("the\tKremlin", 1),
    ]


def test_it_matches_on_word_boundaries_only():
    text = "NATOS and UNATO are not NATO, but (NATO) and NATO's are."
    assert found({1: ["NATO"]}, text) == [("NATO", 1), ("NATO", 1), ("NATO", 1)]


def test_it_does_not_cut_a_character_that_folds_to_several():
    # "ß" folds to "ss": the name "s" must not match half of it.
    assert found({1: ["s"]}, "Straße s") == [("s", 1)]


def test_it_keeps_the_longest_mention_where_mentions_overlap():
    names = {1: ["Peskov"], 2: ["Dmitry Peskov"], 3: ["Dmitry"], 4: ["Peskov said"]}
    text = "Dmitry Peskov said so. Dmitry came."
    assert found(names, text) == [("Dmitry Peskov", 2), ("Dmitry", 3)]
    del names[2]
    assert found(names, text) == [("Dmitry", 3), ("Peskov said", 4), ("Dmitry", 3)]
    assert found({1: ["Peskov"], 2: ["Dmitry Peskov"]}, text) == [("Dmitry Peskov", 2)]


def test_it_skips_regions_not_to_annotate():
    text = "NATO here. NATO in the footer."
    at = text.index("NATO", 1)
    assert found({1: ["NATO"]}, text, blocked=[(at, len(text))]) == [("NATO", 1)]
    # A longer mention reaching into a region is dropped, not shortened.
    assert found({1: ["NATO here"]}, text, blocked=[(5, 9)]) == []


def test_it_prefers_a_canonical_name_over_an_alias_that_reads_the_same():
    names = {1: ["Alpha", "Bravo"], 2: ["bravo"]}
    assert found(names, "BRAVO") == [("BRAVO", 2)]


@pytest.mark.django_db
def test_it_suggests_registry_mentions_with_scores_and_rebuilds_only_when_names_change(
    project, django_assert_num_queries
):
    kremlin = Actor.objects.create(project=project, name="Kremlin")
    kremlin.aliases.create(name="the Russian presidency")
    article = ArticleFactory(project=project, body="The Kremlin and the russian Presidency.")
    proposals = Gazetteer(project).suggest(article)
    assert [(p.start, p.end, p.actor_id, p.score) for p in proposals] == [
        (4, 11, kremlin.pk, 1.0),
        (16, 38, kremlin.pk, 0.9),
    ]
    assert {p.label_id for p in proposals} == {project.labels.get(name="actor").pk}
    version = proposals[0].version
    before = gazetteer._compiled[project.pk]
    Gazetteer(project)
    assert gazetteer._compiled[project.pk] is before  # the same registry: not rebuilt
    kremlin.aliases.create(name="Moscow")
    rebuilt = Gazetteer(project)
    assert rebuilt.version != version
    assert gazetteer._compiled[project.pk] is not before
