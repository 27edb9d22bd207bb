"""RFC 7386 JSON merge patches: create (two-way and kubectl's three-way) and apply."""

from __future__ import annotations

import copy
from typing import Any


def create_merge_patch(original: Any, modified: Any) -> dict[str, Any]:
    """The merge patch that turns `original` into `modified` (arrays are replaced whole)."""
    patch: dict[str, Any] = {}
    if not isinstance(original, dict) or not isinstance(modified, dict):
        return patch
    for key in original:
        if key not in modified:
            patch[key] = None
    for key, value in modified.items():
        if key not in original:
            patch[key] = copy.deepcopy(value)
        elif isinstance(value, dict) and isinstance(original[key], dict):
            child = create_merge_patch(original[key], value)
            if child:
                patch[key] = child
        elif value != original[key]:
            patch[key] = copy.deepcopy(value)
    return patch


def three_way_merge_patch(
    original: dict[str, Any], modified: dict[str, Any], current: dict[str, Any]
) -> dict[str, Any]:
    """kubectl apply's three-way patch: changes live→desired for fields desired sets, plus deletions of fields
    that the last-applied configuration had and desired dropped (live-only fields are left alone)."""

    def additions(cur: dict[str, Any], mod: dict[str, Any]) -> dict[str, Any]:
        patch: dict[str, Any] = {}
        for key, value in mod.items():
            if key not in cur:
                patch[key] = copy.deepcopy(value)
            elif isinstance(value, dict) and isinstance(cur[key], dict):
                child = additions(cur[key], value)
                if child:
                    patch[key] = child
            elif value != cur[key]:
                patch[key] = copy.deepcopy(value)
        return patch

    def deletions(orig: dict[str, Any], mod: dict[str, Any]) -> dict[str, Any]:
        patch: dict[str, Any] = {}
        for key, value in orig.items():
            if key not in mod:
                patch[key] = None
            elif isinstance(value, dict) and isinstance(mod[key], dict):
                child = deletions(value, mod[key])
                if child:
                    patch[key] = child
        return patch

    return apply_merge_patch(deletions(original or {}, modified), additions(current, modified))


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386, the API server's own implementation (one merge-patch semantics for the whole sandbox)."""
    from raywizard.sandbox.patching import merge_patch

    return merge_patch(target, patch)
