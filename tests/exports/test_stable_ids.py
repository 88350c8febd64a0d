"""The exports' stable ids are RFC 4122 name-based UUIDs (version 5), as uuid.uuid5 makes."""

import random
import uuid

from annotations.exports.stable_ids import uuid5
from annotations.exports.w3c import NAMESPACE


def test_it_gives_the_uuid5_of_any_name():
    rng = random.Random(5)
    alphabet = "ab/0é€😀\u2028\x00"
    names = ["", "a", "x" * 1000] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(40))) for _ in range(500)
    ]
    for namespace in (NAMESPACE, uuid.NAMESPACE_URL, uuid.UUID(int=0)):
        for name in names:
            assert uuid5(namespace, name) == str(uuid.uuid5(namespace, name)), name
