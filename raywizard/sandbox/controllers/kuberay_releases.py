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


def is_release(version: str) -> bool:
    return version.removeprefix("v") in CHART_VERSIONS
