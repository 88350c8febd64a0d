"""A suggestion is shown in its sentence (the learning loop's sentence rule), cut with "…" where
the sentence runs on."""

from annotations.learning.suggesters import CONTEXT_CHARS, Suggestion, _in_context
from annotations.learning.text import sentences

BODY = (
    "Talks began. Zelensky 🇺🇦 said troops moved. NATO replied "
    + "at length " * 12
    + "about it.\nNext line."
)


def shown(word: str) -> tuple[str, str]:
    start = BODY.index(word)
    suggestion = Suggestion(
        kind="span", score=1.0, provenance={}, start=start, end=start + len(word)
    )
    _in_context(BODY, sentences(BODY), suggestion)
    return suggestion.before, suggestion.after


def test_it_shows_a_mention_in_its_sentence_only():
    assert shown("Zelensky") == ("", " 🇺🇦 said troops moved.")
    assert shown("troops") == ("Zelensky 🇺🇦 said ", " moved.")
    assert shown("Next") == ("", " line.")


def test_it_cuts_a_long_sentence_with_an_ellipsis():
    before, after = shown("NATO")
    assert before == ""
    assert after.endswith("…") and len(after) == CONTEXT_CHARS + 1
