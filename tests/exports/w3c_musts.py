"""The W3C Web Annotation test suite's MUST assertions (../shared/w3c-web-annotation-tests),
checked the way ../shared/README.md describes: every definitions/*.json in a registry under
its file name, each schema listed in a test's assertion list (annotations/annotationMusts.test
for an annotation, collections/collectionMusts.test for a collection,
collections/pages/pageMusts.test for a page alone or a collection with an embedded page)
validated with Draft4Validator and a format checker; an "invalid" expectation passes when
validation fails."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SUITE = Path(__file__).resolve().parents[2].parent / "shared" / "w3c-web-annotation-tests"


ANNOTATION = "annotations/annotationMusts.test"
COLLECTION = "collections/collectionMusts.test"
PAGE = "collections/pages/pageMusts.test"


@cache
def _validators(test: str = ANNOTATION):
    registry = Registry()
    for path in sorted((SUITE / "definitions").glob("*.json")):
        schema = json.loads(path.read_text())
        registry = registry.with_resource(path.name, Resource(schema, specification=DRAFT4))
    musts = json.loads((SUITE / test).read_text())
    validators = []
    for name in musts["assertions"]:
        schema = json.loads((SUITE / name).read_text())
        validator = Draft4Validator(schema, registry=registry, format_checker=FormatChecker())
        validators.append((name, schema.get("expectedResult", "valid"), validator))
    return validators


def must_failures(document: dict, test: str = ANNOTATION) -> list[str]:
    """The MUST assertions of `test` (an annotation's by default) that the document breaks
    (empty when it conforms)."""
    failures = []
    for name, expected, validator in _validators(test):
        valid = validator.is_valid(document)
        if valid != (expected == "valid"):
            failures.append(f"{name}: {validator.schema.get('errorMessage', '')}")
    return failures
