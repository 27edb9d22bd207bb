"""Checks of single values: Kubernetes names, quantities, image references, custom resources.

Each ``check_*`` returns ``None`` when the value is fine, or one sentence saying what is wrong and how to fix it.
Quantities are parsed here with the same grammar as ``kubernetes.utils.parse_quantity`` (the core must not import
the kubernetes client, which costs ~0.3 s at start-up).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

DNS1123_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1035_LABEL_RE = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
RAYCLUSTER_NAME_MAX = 53  # KubeRay MaxRayClusterNameLength: pod and service names are derived from it

_BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL_SUFFIXES = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
                     "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
                     "P": Decimal(10**15), "E": Decimal(10**18)}
_QUANTITY_RE = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$")


def parse_quantity(value: object) -> Decimal:
    """A Kubernetes quantity as a Decimal (``"500m"`` → 0.5, ``"1Gi"`` → 1073741824). Raises ``ValueError``."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a quantity")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{value!r} is not a quantity")
        return Decimal(str(value))
    text = str(value).strip()
    match = _QUANTITY_RE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a Kubernetes quantity")
    number, suffix = match.groups()
    try:
        amount = Decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guarantees a number
        raise ValueError(f"{text!r} is not a Kubernetes quantity") from exc
    if "e" in number.lower() and suffix:
        raise ValueError(f"{text!r} mixes an exponent and a suffix")
    scale = _BINARY_SUFFIXES.get(suffix)
    return amount * (Decimal(scale) if scale else _DECIMAL_SUFFIXES[suffix])


def check_quantity(value: object, *, what: str = "quantity", memory: bool = False) -> str | None:
    example = "8Gi or 512Mi" if memory else "2, 500m or 1.5"
    try:
        amount = parse_quantity(value)
    except ValueError:
        return f"{value!r} is not a valid {what}; write a Kubernetes quantity such as {example}."
    if amount < 0:
        return f"{what} cannot be negative; use a value such as {example}."
    if memory and amount and amount < 1024 * 1024 and not str(value).endswith(("Ki", "k")):
        return (f"{value!r} is {amount} bytes of memory, far too little for Ray; did you mean {value}Gi or "
                f"{value}Mi?")
    return None


def check_cpu(value: object) -> str | None:
    return check_quantity(value, what="CPU quantity")


def check_memory(value: object) -> str | None:
    return check_quantity(value, what="memory quantity", memory=True)


def check_gpu(value: object) -> str | None:
    problem = check_quantity(value, what="GPU count")
    if problem:
        return problem
    amount = parse_quantity(value)
    if amount != amount.to_integral_value():
        return f"GPU count {value!r} must be a whole number; GPUs cannot be shared by requests."
    return None


def check_dns1123_label(value: object, *, what: str = "name") -> str | None:
    text = str(value)
    if len(text) > 63:
        return f"{what} {text!r} is {len(text)} characters; Kubernetes allows at most 63."
    if not DNS1123_LABEL_RE.match(text):
        return (f"{what} {text!r} is not a valid DNS-1123 label; use lower-case letters, digits and '-', "
                f"starting and ending with a letter or digit.")
    return None


def check_dns1035_label(value: object, *, what: str = "name") -> str | None:
    text = str(value)
    if len(text) > 63:
        return f"{what} {text!r} is {len(text)} characters; Kubernetes allows at most 63."
    if not DNS1035_LABEL_RE.match(text):
        return (f"{what} {text!r} is not a valid DNS-1035 label; use lower-case letters, digits and '-', "
                f"starting with a letter and ending with a letter or digit.")
    return None


def check_dns1123_subdomain(value: object, *, what: str = "name") -> str | None:
    text = str(value)
    if len(text) > 253 or not DNS1123_SUBDOMAIN_RE.match(text):
        return (f"{what} {text!r} is not a valid Kubernetes object name; use lower-case letters, digits, '-' "
                f"and '.', starting and ending with a letter or digit (at most 253 characters).")
    return None


LABEL_VALUE_RE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")


def check_group_name(value: object) -> str | None:
    """A worker group name KubeRay can use (docs/chart-values.md, "Validation": group names).

    Mixed case is fine: KubeRay lower-cases the pod names it derives from the group name, and keeps the name as
    written in the ray.io/group label, whose values may hold upper case.
    """
    text = str(value)
    if not text:
        return "group name is empty; give the group a name such as cpu-workers."
    # The name is the ray.io/group label value of every worker pod: the API server rejects pods whose label
    # values are longer than 63 characters or use other characters.
    if len(text) > 63 or not LABEL_VALUE_RE.match(text):
        return (f"group name {text!r} is not a valid Kubernetes label value, which worker pods carry it as; use "
                "at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit.")
    # Pod names are <cluster>-<group>-worker-<suffix>, lower-cased: an '_' makes them invalid object names.
    if "_" in text:
        return (f"group name {text!r} contains '_': KubeRay names worker pods after the group and the API server "
                "rejects pod names with '_'; use '-' instead.")
    return None


def check_non_negative(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{value!r} must be a whole number such as 0, 1 or 10."
    if value < 0:
        return f"{value} is negative; use 0 or more."
    if value >= 1_000_000:
        # Helm reads values as float64 and prints numbers >= 1e6 in exponent form (1e+06), which the
        # RayCluster CRD's int32 fields reject.
        return f"{value} is too large: Helm would render it as {value:.0e}; keep replica counts below 1,000,000."
    return None


def check_url(value: object) -> str | None:
    text = str(value)
    if not re.match(r"^https?://[^\s/]+", text):
        return f"{text!r} is not a URL; use the API server URL, e.g. https://kubernetes.default.svc."
    return None


def check_image_reference(value: object) -> str | None:
    text = str(value)
    if not re.fullmatch(r"[a-z0-9][a-z0-9._/:-]*[a-z0-9_-]|[a-z0-9]", text.split("@")[0]):
        return f"{text!r} is not an image reference; write REPOSITORY:TAG, e.g. rayproject/ray:2.46.0."
    _, tag = split_image_reference(text)
    if not tag:
        return f"{text!r} has no tag; add one, e.g. {text}:2.46.0 (an untagged image means 'latest')."
    return None


def split_image_reference(text: str) -> tuple[str, str]:
    """``docker.io/rayproject/ray:2.46.0`` → (``docker.io/rayproject/ray``, ``2.46.0``); a ``:`` inside the
    registry host (``localhost:5000/ray``) is not a tag separator."""
    last_slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > last_slash:
        return text[:colon], text[colon + 1:]
    return text, ""


def check_image_tag(value: object) -> str | None:
    text = str(value)
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", text):
        return f"{text!r} is not a valid image tag; use letters, digits, '.', '_' and '-', e.g. 2.46.0."
    return None


def check_resource_name(name: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.:/-]*", name):
        return f"custom resource name {name!r} may use letters, digits, '_', '-', '.', ':' and '/' only."
    if name in ("CPU", "GPU", "memory", "object_store_memory"):
        return f"{name!r} is a built-in Ray resource; set it with num-cpus/num-gpus or resources instead."
    return None


def parse_resource_map(text: str) -> dict[str, float]:
    """``"standard-worker=1, tpu=0.5"`` → ``{"standard-worker": 1, "tpu": 0.5}``. Raises ``ValueError``."""
    result: dict[str, float] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, amount = item.partition("=")
        name, amount = name.strip(), amount.strip()
        if not sep or not name:
            raise ValueError(f"{item!r} should be NAME=AMOUNT, e.g. standard-worker=1.")
        problem = check_resource_name(name)
        if problem:
            raise ValueError(problem)
        try:
            number = float(amount)
        except ValueError:
            raise ValueError(f"amount {amount!r} for {name} must be a number, e.g. {name}=1.") from None
        if number < 0:
            raise ValueError(f"amount for {name} cannot be negative.")
        if not number.is_integer():
            raise ValueError(f"amount for {name} must be a whole number: the Ray autoscaler reads custom "
                             f"resources as integers (e.g. {name}=1).")
        result[name] = int(number)
    return result


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
