"""The Textual wizard: the app, its model, its steps and their widgets."""
