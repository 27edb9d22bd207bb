"""Resource amounts as people read them, the way `kubectl top` and k9s print them.

One formatter for every view (the dashboard, `raywizard status`, the wizard's totals): memory in binary units
(``31313253Ki`` → ``29.9 GiB``), CPU in cores with millicores below one core (``500m``, ``1.5``, ``14``).
Cluster text that is not a Kubernetes quantity is returned as it came (callers still show it through
``textsafe``), so a formatter never hides what the server said.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from raywizard.model.checks import parse_quantity

_BINARY_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def quantity(value: Any) -> Decimal | None:
    """``value`` as a Decimal when it is a Kubernetes quantity (``"1Gi"``, ``"500m"``, ``7``), else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return parse_quantity(value)
    except (ValueError, ArithmeticError):
        return None


def format_bytes(amount: Decimal | float | int) -> str:
    """Bytes in binary units with one decimal: ``32064771072`` → ``29.9 GiB``; whole bytes below 1 KiB."""
    value = float(amount)
    for unit in _BINARY_UNITS:
        if abs(value) < 1024 or unit == _BINARY_UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns at the last unit


def format_cpus(amount: Decimal | float | int) -> str:
    """Cores: whole cores as integers, fractions below one core as millicores (``500m``), others with up to
    two decimals (``1.5``, ``2.25``)."""
    value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    if value == value.to_integral_value():
        return f"{value.to_integral_value():f}"
    if abs(value) < 1:
        millis = (value * 1000).quantize(Decimal(1))
        return f"{millis:f}m"
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def human_memory(value: Any) -> str:
    """A memory quantity from the cluster (``"31313253Ki"``, ``"173028888064"``) in binary units."""
    amount = quantity(value)
    return format_bytes(amount) if amount is not None else ("" if value is None else str(value))


def human_cpu(value: Any) -> str:
    """A CPU quantity from the cluster (``"14"``, ``"2500m"``) as cores or millicores."""
    amount = quantity(value)
    return format_cpus(amount) if amount is not None else ("" if value is None else str(value))

