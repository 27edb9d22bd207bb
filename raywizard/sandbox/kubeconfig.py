"""A kubeconfig for the sandbox: context, cluster and user all named ``raywizard-sandbox``, plain http, a
token."""

from __future__ import annotations

import os
from pathlib import Path

NAME = "raywizard-sandbox"


def kubeconfig_text(server: str, token: str, namespace: str | None = None) -> str:
    ns_line = f"\n    namespace: {namespace}" if namespace else ""
    return f"""apiVersion: v1
kind: Config
clusters:
- name: {NAME}
  cluster:
    server: {server}
contexts:
- name: {NAME}
  context:
    cluster: {NAME}
    user: {NAME}{ns_line}
current-context: {NAME}
preferences: {{}}
users:
- name: {NAME}
  user:
    token: {token}
"""


def write_kubeconfig(path: str | os.PathLike[str], server: str, token: str, namespace: str | None = None) -> Path:
    """Write atomically (temp file + rename), readable only by the user (it holds the token)."""
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(kubeconfig_text(server, token, namespace))
    os.replace(tmp, target)
    return target
