"""Reading JSON that comes from outside (an import line, an API request body) into values that
are safe to store and to work on, or a refusal that says what is wrong.

Python's own ``json.loads`` accepts what the rest of the workbench cannot handle: strings with
NUL or lone surrogates (``"\\u0000"``, ``"\\ud800"``), which the database refuses; nesting so
deep that it, or any later recursive code, exhausts the stack; ``NaN`` and ``Infinity``, which
are not JSON and which PostgreSQL's jsonb refuses; and integers of thousands of digits, which
Python refuses to convert. ``parse_json`` refuses all of them with ``JsonRefused``, whose
message completes a sentence that its caller begins with where the JSON came from.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from annotations.text import text_problem

# Deeper than anything the workbench reads (a native import line nests 4 levels, a release
# definition 3) leaves room for metadata, and is far from any recursion limit.
MAX_DEPTH = 32


class JsonRefused(ValueError):
    """JSON the workbench will not take; `reason` says why (lower case, ends with a full stop)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _refuse_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON number; send a finite number or null.")


def _finite(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):
        raise JsonRefused(f"the number {literal[:20]} is too large; send a finite number.")
    return number


def parse_json(text: str | bytes) -> Any:
    """The value `text` holds, or JsonRefused: malformed, nested deeper than MAX_DEPTH, holding
    NaN or Infinity, or a string (or key) that ``text_problem`` refuses."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except json.JSONDecodeError as error:
        raise JsonRefused(f"malformed JSON: {error.msg} at column {error.colno}.") from None
    except RecursionError:
        raise JsonRefused(f"the JSON is nested more than {MAX_DEPTH} levels deep.") from None
    except UnicodeDecodeError as error:
        raise JsonRefused(f"the JSON is not valid UTF-8 (byte {error.start}).") from None
    except ValueError as error:
        if isinstance(error, JsonRefused):
            raise
        # Python will not convert an integer of more than sys.get_int_max_str_digits() digits.
        limit = sys.get_int_max_str_digits()
        raise JsonRefused(f"a number has more than {limit} digits.") from None
    # Decoded strings hold only what the text holds, and what its \u escapes stand for: a text
    # free of both needs no look at its strings (the whole value of an import line, at once).
    strings_clean = isinstance(text, str) and "\\u" not in text and text_problem(text) is None
    if not _fits(value, check_strings=not strings_clean):
        problem = value_problem(value)  # the same checks again, naming where
        if problem:
            raise JsonRefused(problem)
    return value


def _fits(value: Any, *, check_strings: bool, max_depth: int = MAX_DEPTH) -> bool:
    """Whether ``value_problem(value)`` finds nothing (a quicker walk, naming nothing)."""
    walked = _WALKED if check_strings else _CONTAINERS
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        kind = type(item)
        if kind is str:
            if check_strings and text_problem(item):
                return False
        elif kind is dict or kind is list:
            if depth > max_depth:
                return False
            if kind is dict:
                if check_strings and any(text_problem(key) for key in item):
                    return False
                item = item.values()
            pending.extend((element, depth + 1) for element in item if type(element) in walked)
    return True


_CONTAINERS = frozenset({dict, list})
_WALKED = _CONTAINERS | {str}


def value_problem(value: Any, *, max_depth: int = MAX_DEPTH) -> str | None:
    """Why a decoded JSON value cannot be taken, naming where ("'spans[0].note' contains a NUL
    character ..."), or None. Walks without recursion, so any depth is safe to check."""
    pending: list[tuple[Any, str, int]] = [(value, "", 1)]
    while pending:
        item, path, depth = pending.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return f"'{path or 'the value'}' {problem}"
        elif isinstance(item, dict | list):
            if depth > max_depth:
                return f"the JSON is nested more than {max_depth} levels deep."
            if isinstance(item, list):
                pending.extend(
                    (element, f"{path}[{index}]", depth + 1)
                    for index, element in reversed(list(enumerate(item)))
                )
                continue
            entries = []
            for key, element in item.items():
                problem = text_problem(key)
                if problem:
                    return f"a key of '{path or 'the object'}' {problem}"
                entries.append((element, f"{path}.{key}" if path else key, depth + 1))
            pending.extend(reversed(entries))
    return None
