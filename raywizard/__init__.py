"""raywizard: deploy and run a Ray cluster on Kubernetes through Argo CD."""

__version__ = "0.1.0"
