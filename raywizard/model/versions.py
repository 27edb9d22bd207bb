"""Known KubeRay releases, ray-cluster chart versions and Ray images, and what goes with what.

KubeRay publishes the operator, its CRDs and the ray-cluster chart from one repository with one version number:
git tag ``vX.Y.Z`` (used by the CRDs and operator Applications) and Helm chart version ``X.Y.Z`` (the RayCluster
Application). Running a chart of one release against an operator of another is the mismatch in the guide's
all-in-one file (operator v1.5.1, chart 1.4.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KUBERAY_REPO_URL = "https://github.com/ray-project/kuberay"
KUBERAY_HELM_REPO_URL = "https://ray-project.github.io/kuberay-helm/"
CRDS_PATH = "helm-chart/kuberay-operator/crds"
OPERATOR_PATH = "helm-chart/kuberay-operator"
RAY_CLUSTER_CHART = "ray-cluster"


@dataclass(frozen=True)
class Release:
    version: str  # X.Y.Z
    notes: str  # what changed for a user of this wizard

    @property
    def tag(self) -> str:
        return f"v{self.version}"


_NOTES_1_4 = "ray-cluster chart always renders rayStartParams (empty maps as {})."
_NOTES_1_5 = (
    "Chart omits empty rayStartParams and adds gcsFaultTolerance; RayCluster CRD adds authOptions and per-group "
    "labels/resources."
)
# The 1.6.0 chart templates and values are byte-identical to 1.7.0 (compared at the tags): the changes that are
# often attributed to 1.7 arrived in 1.6.
_NOTES_1_6 = (
    "Additional worker groups without resources get cpu 1 / memory 1Gi; head memory default 5Gi, worker "
    "memory 1Gi, maxReplicas default 5, image 2.52.0; new per-group keys runtimeClassName and resourceClaims."
)
_NOTES_1_7 = "Chart identical to 1.6 (templates and default values); operator and CRDs from the 1.7.0 release."

RELEASES: tuple[Release, ...] = (
    Release("1.4.0", _NOTES_1_4),
    Release("1.4.1", _NOTES_1_4),
    Release("1.4.2", _NOTES_1_4),
    Release("1.5.0", _NOTES_1_5),
    Release("1.5.1", _NOTES_1_5),
    Release("1.5.2", _NOTES_1_5),
    Release("1.6.0", _NOTES_1_6),
    Release("1.6.1", _NOTES_1_6),
    Release("1.6.2", _NOTES_1_6),
    Release("1.7.0", _NOTES_1_7),
)
LATEST = RELEASES[-1]
RECOMMENDED = next(r for r in RELEASES if r.version == "1.5.1")  # the guide's release

# Ray images we know exist on Docker Hub (rayproject/ray). Other tags are allowed with a warning.
KNOWN_RAY_TAGS: tuple[str, ...] = tuple(
    [f"2.{minor}.0" for minor in range(40, 53)] + ["2.41.1", "2.44.1", "2.46.1", "2.47.1", "2.49.1", "2.49.2"]
)
MOVING_TAGS = ("latest", "nightly")

_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")


def chart_versions() -> list[str]:
    return [r.version for r in RELEASES]


def kuberay_tags() -> list[str]:
    return [r.tag for r in RELEASES]


def release(version: str) -> Release | None:
    bare = version[1:] if version.startswith("v") else version
    return next((r for r in RELEASES if r.version == bare), None)


def minor_of(version: str) -> tuple[int, int] | None:
    match = _VERSION_RE.match(version.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def same_release(kuberay_tag: str, chart_version: str) -> bool:
    return kuberay_tag.lstrip("v") == chart_version.lstrip("v")

