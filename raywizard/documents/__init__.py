"""The user's files: the workspace, round-trip YAML, minimal line edits, presets, atomic writes."""
