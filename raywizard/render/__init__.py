"""Spec -> the chart's Helm values and the three Argo CD Applications; the fast YAML emitter."""
