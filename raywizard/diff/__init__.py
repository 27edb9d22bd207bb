"""Desired against live as Argo CD sees it: ignoreDifferences and diff reports."""
