from raywizard.ignore import REPLICAS_JQ, ignored_paths, normalize_ignored, rule_matches

__all__ = ["REPLICAS_JQ", "ignored_paths", "normalize_ignored", "rule_matches"]
