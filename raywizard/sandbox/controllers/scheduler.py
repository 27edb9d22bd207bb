"""The sandbox's nodes as the scheduler sees them: capacity, what is placed where, and why a pod does not fit."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .quantity import parse_or_none

NODE_NAMES = ("sandbox-worker", "sandbox-worker2", "sandbox-worker3")
NODE_CPU = Fraction(16)
NODE_MEMORY = Fraction(64 * 2**30)
NODE_PODS = 110


@dataclass
class Node:
    name: str
    index: int
    cpu: Fraction = Fraction(0)
    memory: Fraction = Fraction(0)
    pods: set[tuple[str, str]] = field(default_factory=set)
    images: set[str] = field(default_factory=set)
    next_ip: int = 2
    cpu_capacity: Fraction = NODE_CPU
    memory_capacity: Fraction = NODE_MEMORY
    pod_capacity: int = NODE_PODS


def load_nodes(store: Any) -> list[Node]:
    """Node objects of the cluster with their allocatable capacity; creates three if there are none."""
    from raywizard.sandbox.store import ApiError

    try:
        existing = store.list("nodes")
    except ApiError:
        existing = []
    nodes = []
    for index, node_obj in enumerate(sorted(existing, key=lambda n: n["metadata"]["name"])):
        allocatable = (node_obj.get("status") or {}).get("allocatable") or {}
        cpu, memory = parse_or_none(allocatable.get("cpu")), parse_or_none(allocatable.get("memory"))
        node = Node(node_obj["metadata"]["name"], index + 1)
        node.cpu_capacity = cpu.value if cpu else NODE_CPU
        node.memory_capacity = memory.value if memory else NODE_MEMORY
        node.pod_capacity = int(allocatable.get("pods") or NODE_PODS)
        nodes.append(node)
    if nodes:
        return nodes
    resources = {"cpu": str(NODE_CPU), "memory": "64Gi", "pods": str(NODE_PODS)}
    ready = {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"}
    for index, name in enumerate(NODE_NAMES):
        body = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {"podCIDR": f"10.244.{index}.0/24"},
        }
        status = {"capacity": resources, "allocatable": resources, "conditions": [ready]}
        with contextlib.suppress(ApiError):
            store.create("nodes", body, field_manager="kubelet")
            store.patch("nodes", None, name, {"status": status}, "merge", subresource="status", field_manager="kubelet")
        nodes.append(Node(name, index + 1))
    return nodes


def unschedulable_message(nodes: list[Node], cpu: Fraction, memory: Fraction) -> str:
    """The default scheduler's FailedScheduling text, e.g. "0/3 nodes are available: 3 Insufficient cpu. ..."."""
    reasons: list[str] = []
    short_cpu = sum(1 for n in nodes if n.cpu + cpu > n.cpu_capacity)
    short_mem = sum(1 for n in nodes if n.memory + memory > n.memory_capacity)
    short_pods = sum(1 for n in nodes if len(n.pods) >= n.pod_capacity)
    if short_cpu:
        reasons.append(f"{short_cpu} Insufficient cpu")
    if short_mem:
        reasons.append(f"{short_mem} Insufficient memory")
    if short_pods:
        reasons.append(f"{short_pods} Too many pods")
    total = len(nodes)
    return (
        f"0/{total} nodes are available: {', '.join(sorted(reasons))}. preemption: 0/{total} nodes are "
        f"available: {total} No preemption victims found for incoming pod."
    )
