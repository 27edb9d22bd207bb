"""Ray custom resources in ``rayStartParams.resources``.

KubeRay passes the value to ``ray start --resources=<value>`` through ``bash -c``, and the Ray autoscaler
reads it with ``json.loads(value[1:-1].replace("\\\\", ""))`` (ray ``autoscaling_config.py``
``_get_custom_resources``), requiring a JSON object of string -> int. KubeRay's samples therefore write
the JSON with escaped inner quotes inside an outer pair of double quotes: ``"{\\"standard-worker\\": 1}"``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping


def _as_count(name: str, amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise ValueError(f"custom resource {name!r}: amount must be a number, got {amount!r}")
    if isinstance(amount, float) and (not math.isfinite(amount) or amount != int(amount)):
        raise ValueError(f"custom resource {name!r}: the Ray autoscaler needs a whole number, got {amount!r}")
    count = int(amount)
    if count < 0:
        raise ValueError(f"custom resource {name!r}: amount must not be negative, got {amount!r}")
    return count


def encode_custom_resources(resources: Mapping[str, float]) -> str:
    """``{"standard-worker": 1}`` -> ``"{\\"standard-worker\\": 1}"`` (KubeRay sample form).

    Amounts must be whole, non-negative numbers (the autoscaler accepts only ints); 1.0 is written as 1.
    """
    counts: dict[str, int] = {}
    for name, amount in resources.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"custom resource names must be non-empty strings, got {name!r}")
        if any(char in name for char in '"\\') or any(ord(char) < 0x20 for char in name):
            # Ray strips every backslash before parsing, so quotes, backslashes and escaped control
            # characters cannot survive the round trip.
            raise ValueError(f"custom resource name {name!r} may not contain quotes, backslashes or controls")
        counts[name] = _as_count(name, amount)
    text = json.dumps(counts, separators=(", ", ": "), ensure_ascii=False)
    return '"' + text.replace('"', '\\"') + '"'


def decode_custom_resources(text: str) -> dict[str, float]:
    """The inverse of ``encode_custom_resources``, accepting what the Ray autoscaler accepts.

    Like Ray: drop the first and last character, remove every backslash, parse JSON; the result must be an
    object of string -> int (booleans are refused although Python's ``isinstance`` would let Ray take them).
    """
    if not isinstance(text, str):
        raise ValueError(f"custom resources must be a string, got {text!r}")
    inner = text[1:-1].replace("\\", "")
    try:
        parsed = json.loads(inner)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"custom resources {text!r} are not in the form Ray reads "
            '(\'"{\\"name\\": 1}"\': JSON object inside an outer pair of double quotes): ' + str(exc)
        ) from exc
    if not isinstance(parsed, dict):
        raise ValueError(f"custom resources {text!r} must hold a JSON object, got {type(parsed).__name__}")
    result: dict[str, float] = {}
    for name, amount in parsed.items():
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValueError(
                f"custom resource {name!r} in {text!r}: the Ray autoscaler needs an int, got {amount!r}"
            )
        result[name] = amount
    return result
