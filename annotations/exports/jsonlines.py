"""JSON written a record per line, for every format that writes lines.

JSON allows the line separators U+2028 and U+2029 and the next-line control U+0085 raw inside
strings, and orjson writes them so; but readers that split lines with ``str.splitlines()``
(and JavaScript before ES2019, for U+2028/9) split a record there. ``json_bytes`` escapes them
(``\\u2028``...), which every JSON reader decodes to the same string, so one line is one record
for every line reader.
"""

from __future__ import annotations

from typing import Any

import orjson

# The characters str.splitlines() splits on that JSON lets stand raw in a string (the others,
# \n \r \v \f \x1c-\x1e, are control characters that JSON escapes anyway), in UTF-8.
_ESCAPES = (
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
    ("\u0085".encode(), b"\\u0085"),
)


def json_bytes(value: Any, *, option: int = 0) -> bytes:
    """`value` as JSON, with no raw line separator anywhere in it (`option`: orjson's)."""
    return escape_line_separators(orjson.dumps(value, option=option))


def escape_line_separators(data: bytes) -> bytes:
    """orjson's `data` (one or more JSON values) with every raw line separator escaped."""
    for raw, escaped in _ESCAPES:
        if raw in data:
            data = data.replace(raw, escaped)
    return data


def json_line(value: Any, *, option: int = 0) -> bytes:
    """One line of JSONL: `json_bytes(value)` and a line feed."""
    return json_bytes(value, option=option) + b"\n"
