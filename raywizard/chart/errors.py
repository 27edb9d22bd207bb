"""Errors raised by the chart model.

Both are ``ValueError`` subclasses (callers that only know the public API can catch that) and ``InputError``
subclasses (the CLI prints them with their fix).
"""

from __future__ import annotations

from raywizard.model.errors import InputError


class UnknownChartVersion(InputError, ValueError):
    """A ray-cluster chart version this model does not know."""


class ChartRenderError(InputError, ValueError):
    """Values with which ``helm template`` would fail, or render YAML this model does not reproduce.

    The message names the value path (``head.image``) so a wizard can point at the field.
    """
