"""Which container images "exist": a deterministic rule so that a typo in a tag fails like a real pull does.

- `rayproject/ray` (and `-ml`, any registry prefix): `latest`, `nightly`, or a released Ray version
2.0.0–2.52.x,
  optionally followed by the published suffixes (`-py39`…`-py312`, `-cpu`, `-gpu`, `-cu118`…`-cu128`,
  `-aarch64`).
  (Approximation: every 2.<minor>.<patch> with patch ≤ 3 counts as released.)
- `quay.io/kuberay/operator`: the KubeRay tags v1.3.0…v1.7.0.
- any other image exists unless its tag contains "doesnotexist" or "does-not-exist".
"""

from __future__ import annotations

import re

KUBERAY_TAGS = (
    "v1.3.0",
    "v1.3.1",
    "v1.3.2",
    "v1.4.0",
    "v1.4.1",
    "v1.4.2",
    "v1.5.0",
    "v1.5.1",
    "v1.5.2",
    "v1.6.0",
    "v1.6.1",
    "v1.6.2",
    "v1.7.0",
)
_RAY_TAG = re.compile(
    r"^(?:latest|nightly|2\.(\d+)\.(\d+))"
    r"(?:-py3(?:9|10|11|12))?(?:-(?:cpu|gpu|cu1(?:18|21|23|24|28)))?(?:-aarch64)?$"
)


def split_image(image: str) -> tuple[str, str]:
    """('docker.io/rayproject/ray', '2.46.0'); a missing tag means `latest`; digests always resolve."""
    if "@" in image:
        return image.split("@", 1)[0], ""
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        repo, tag = image.rsplit(":", 1)
        return repo, tag
    return image, "latest"


def image_exists(image: str) -> bool:
    repo, tag = split_image(image)
    if not tag:
        return True
    if repo.endswith("rayproject/ray") or repo.endswith("rayproject/ray-ml"):
        match = _RAY_TAG.match(tag)
        if not match:
            return False
        if match.group(1) is None:
            return True
        return int(match.group(1)) <= 52 and int(match.group(2)) <= 3
    if repo.endswith("kuberay/operator"):
        return tag in KUBERAY_TAGS
    return "doesnotexist" not in tag and "does-not-exist" not in tag


def pull_error(image: str) -> str:
    """The kubelet's message for a tag that is not in the registry (containerd wording)."""
    repo, tag = split_image(image)
    reference = f"{repo}:{tag}"
    if "." not in repo.split("/")[0]:
        reference = f"docker.io/{reference if '/' in repo else 'library/' + reference}"
    return (
        f'failed to pull and unpack image "{reference}": failed to resolve reference "{reference}": '
        f"{reference}: not found"
    )
