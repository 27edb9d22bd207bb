"""Discovery documents (/version, /api, /apis, group and group-version resource lists) from the registry."""

from __future__ import annotations

from typing import Any

from raywizard.sandbox.registry import BUILTIN_GROUP_ORDER, Registry, ResourceInfo

VERSION_INFO = {
    "major": "1",
    "minor": "30",
    "gitVersion": "v1.30.6",
    "gitCommit": "00f20d443ba0cd2f6b2a4c56e1c5e3b2d8a1f1f1",
    "gitTreeState": "clean",
    "buildDate": "2024-10-22T20:28:14Z",
    "goVersion": "go1.22.8",
    "compiler": "gc",
    "platform": "linux/amd64",
}


def api_versions(address: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}],
    }


def _groups(registry: Registry) -> dict[str, list[str]]:
    """group -> served versions (preferred first), built-in groups first in a stable order."""
    found: dict[str, list[str]] = {}
    for info in registry.all():
        if not info.group:
            continue
        versions = found.setdefault(info.group, [])
        for v in info.versions:
            if v not in versions:
                versions.append(v)
    order = {g: n for n, g in enumerate(BUILTIN_GROUP_ORDER)}
    return dict(sorted(found.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


def _group_doc(group: str, versions: list[str]) -> dict[str, Any]:
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": entries, "preferredVersion": entries[0]}


def api_group_list(registry: Registry) -> dict[str, Any]:
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [_group_doc(g, vs) for g, vs in _groups(registry).items()],
    }


def api_group(registry: Registry, group: str) -> dict[str, Any] | None:
    versions = _groups(registry).get(group)
    if not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_doc(group, versions)}


def _entries(info: ResourceInfo, version: str) -> list[dict[str, Any]]:
    main: dict[str, Any] = {
        "name": info.plural,
        "singularName": info.singular,
        "namespaced": info.namespaced,
        "kind": info.kind,
        "verbs": list(info.verbs),
    }
    if info.short_names:
        main["shortNames"] = list(info.short_names)
    if info.categories:
        main["categories"] = list(info.categories)
    out = [main]
    if info.status_for(version):
        out.append(
            {
                "name": f"{info.plural}/status",
                "singularName": "",
                "namespaced": info.namespaced,
                "kind": info.kind,
                "verbs": ["get", "patch", "update"],
            }
        )
    if info.has_log:
        out.append(
            {
                "name": f"{info.plural}/log",
                "singularName": "",
                "namespaced": info.namespaced,
                "kind": info.kind,
                "verbs": ["get"],
            }
        )
    return out


def resource_list(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    infos = [i for i in registry.all() if i.group == group and version in i.versions]
    if not infos:
        return None
    group_version = f"{group}/{version}" if group else version
    resources: list[dict[str, Any]] = []
    for info in sorted(infos, key=lambda i: i.plural):
        resources.extend(_entries(info, version))
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }
