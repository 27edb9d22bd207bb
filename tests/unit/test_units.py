"""Resource amounts read like `kubectl top`/k9s: one formatter for the dashboard and `raywizard status`."""

from __future__ import annotations

from decimal import Decimal

from raywizard.cli.commands.status import render_plain
from raywizard.kube.state import ClusterState
from raywizard.model.units import format_bytes, format_cpus, human_cpu, human_memory


def test_memory_in_binary_units() -> None:
    assert human_memory("31313253Ki") == "29.9 GiB"
    assert human_memory("173028888064") == "161.1 GiB"
    assert human_memory("512Mi") == "512.0 MiB"
    assert human_memory("5G") == "4.7 GiB"
    assert human_memory("0") == "0 B"
    assert format_bytes(Decimal(1023)) == "1023 B"


def test_cpu_in_cores_and_millicores() -> None:
    assert human_cpu("14") == "14"
    assert human_cpu("500m") == "500m"
    assert human_cpu("2500m") == "2.5"
    assert human_cpu("2250m") == "2.25"
    assert format_cpus(Decimal("0.1")) == "100m"
    assert human_cpu(0) == "0"


def test_text_that_is_no_quantity_comes_back_as_it_was() -> None:
    assert human_memory("lots") == "lots"
    assert human_memory(None) == ""
    assert human_cpu("[blink]6[/blink]") == "[blink]6[/blink]"


def test_status_prints_the_raycluster_in_human_units() -> None:
    state = ClusterState()
    state.replace_all(
        "rayclusters",
        [
            {
                "metadata": {"name": "rc", "namespace": "ray", "resourceVersion": "1"},
                "spec": {"workerGroupSpecs": []},
                "status": {"desiredCPU": "2500m", "desiredMemory": "173028888064", "desiredGPU": "0"},
            }
        ],
    )
    out = render_plain(state.snapshot())
    row = next(line for line in out.splitlines() if line.startswith("rc "))
    assert "2.5" in row and "161.1 GiB" in row
    assert "173028888064" not in out
