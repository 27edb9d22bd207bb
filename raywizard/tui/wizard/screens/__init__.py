"""The wizard's screens, one per step, plus the group form."""
