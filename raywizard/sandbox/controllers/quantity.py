"""Kubernetes resource quantities: parse ("500m", "2G", "1Gi") and print sums the way apimachinery does.

KubeRay sums container requests into ``status.desiredCPU``/``desiredMemory`` with ``resource.Quantity.Add``;
the
sum keeps the format (decimal SI or binary SI) of the first non-zero term and prints canonically ("5G", "4",
"1500m", "3Gi"). That is what a user sees in ``kubectl get raycluster``, so we reproduce it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$")


class Quantity:
    """An exact quantity with the format it was written in ("DecimalSI", "BinarySI" or "DecimalExponent")."""

    __slots__ = ("format", "value")

    def __init__(self, value: Fraction = Fraction(0), fmt: str = "") -> None:
        self.value = value
        self.format = fmt

    @classmethod
    def parse(cls, text: object) -> Quantity:
        if isinstance(text, bool):
            raise ValueError(f"quantities must match the regular expression: {text!r}")
        if isinstance(text, (int, float)):
            return cls(Fraction(Decimal(str(text))), "DecimalSI")
        match = _QUANTITY.match(str(text).strip())
        if not match:
            raise ValueError(
                f"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {text!r}"
            )
        number = Fraction(Decimal(match.group(1)))
        if match.group(2):
            return cls(number * Fraction(10) ** int(match.group(2)[1:]), "DecimalExponent")
        suffix = match.group(3) or ""
        if suffix in _BINARY:
            return cls(number * _BINARY[suffix], "BinarySI")
        return cls(number * _DECIMAL[suffix], "DecimalSI")

    def add(self, other: Quantity) -> None:
        if self.value == 0 and not self.format:
            self.format = other.format
        self.value += other.value

    def __str__(self) -> str:
        return canonical(self.value, self.format or "DecimalSI")


def canonical(value: Fraction, fmt: str) -> str:
    """apimachinery's canonical form: the largest suffix that keeps an integer mantissa (milli at the
    least)."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if fmt == "BinarySI" and value.denominator == 1 and value >= 1024:
        for suffix, factor in sorted(_BINARY.items(), key=lambda item: -item[1]):
            if value % factor == 0:
                return f"{sign}{value // factor}{suffix}"
    # Decimal: round up to milli-units as Kubernetes does, then pick the largest exact SI exponent.
    milli = -((-value * 1000) // 1)
    for suffix, exponent in (("E", 21), ("P", 18), ("T", 15), ("G", 12), ("M", 9), ("k", 6), ("", 3)):
        factor = 10**exponent
        if milli % factor == 0:
            return f"{sign}{milli // factor}{suffix}"
    return f"{sign}{milli}m"


def parse_or_none(text: object) -> Quantity | None:
    try:
        return Quantity.parse(text)
    except (ValueError, ArithmeticError):
        return None
