"""Widgets of the wizard's screens: field forms, toggles, the step chrome."""
