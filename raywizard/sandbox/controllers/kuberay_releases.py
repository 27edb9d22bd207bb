"""The KubeRay releases the sandbox's repo-server serves, and where they live.

ray-project/kuberay publishes the CRDs, the operator chart and the ray-cluster chart from one repository under
one version number: git tag ``vX.Y.Z`` and Helm chart version ``X.Y.Z`` in the kuberay-helm repository. The
sandbox keeps its own list (rather than reading raywizard's) so that a release raywizard wrongly believes in shows
up as a failing render, as it would against the real repositories.
"""

from __future__ import annotations

GIT_REPO_URL = "https://github.com/ray-project/kuberay"
HELM_REPO_URL = "https://ray-project.github.io/kuberay-helm/"
CRDS_PATH = "helm-chart/kuberay-operator/crds"
OPERATOR_PATH = "helm-chart/kuberay-operator"
RAY_CLUSTER_PATH = "helm-chart/ray-cluster"

CHART_VERSIONS: tuple[str, ...] = (
    "1.4.0",
    "1.4.1",
    "1.4.2",
    "1.5.0",
    "1.5.1",
    "1.5.2",
    "1.6.0",
    "1.6.1",
    "1.6.2",
    "1.7.0",
)
TAGS: tuple[str, ...] = tuple(f"v{version}" for version in CHART_VERSIONS)
LATEST_TAG = TAGS[-1]  # what HEAD/master resolves to
# The commits the tags point to in ray-project/kuberay (`git rev-parse vX.Y.Z^{commit}`): Argo CD reports these as
# the synced revision of a git source.
TAG_COMMITS: dict[str, str] = {
    "v1.4.0": "279b9f002a597125e9267365c46caaf123fe5a45",
    "v1.4.1": "3d138cf3cecd0de449a2c860a85008d086791b5f",
    "v1.4.2": "34ea80e0f51f80fb092cdc17ca75d4139449edef",
    "v1.5.0": "21cf8ccdc0f617931ab424b884248a8c637b4136",
    "v1.5.1": "9e8a2c085b7b7c96cf7cc5d857787bc2d78406c6",
    "v1.5.2": "9f65eca1d6226d20f9e7c340f2af27cc4a1c9985",
    "v1.6.0": "3fe72c3c876d2a530b50870f14b76a8e94bb1f9b",
    "v1.6.1": "c9ddfc2459dabc4149b8f383df2f6f6325e9b56c",
    "v1.6.2": "598eb66aa077c55ae04fa87b192238a3ec184e88",
    "v1.7.0": "59d663aeec13760646da3db9c1cf8cfe883e30b7",
}


def is_release(version: str) -> bool:
    return version.removeprefix("v") in CHART_VERSIONS
