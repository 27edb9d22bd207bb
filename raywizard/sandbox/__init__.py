"""The embedded sandbox cluster: a Kubernetes API server on loopback plus simulated controllers.

Start here: ``cluster.SandboxCluster`` (lifecycle, kubeconfig, faults, permissions, restart). The in-process API is
``store.Store`` (documented in its module docstring); the HTTP layer is ``http`` (routing, auth), ``verbs``,
``watchstream`` and ``logstream``; discovery documents come from ``registry`` and ``discovery``; patch formats and
server-side apply live in ``patching`` and ``managedfields``; ``faults`` parses the ``--faults`` spec. The simulated
Argo CD, KubeRay operator and Ray autoscaler are in ``controllers``, which ``SandboxCluster.start()`` imports
lazily. Importing this package imports nothing heavy.
"""
