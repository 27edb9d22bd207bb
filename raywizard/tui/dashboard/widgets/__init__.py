"""Dashboard widgets: each owns one area of the screen and is updated in place from a ``Batch``."""
