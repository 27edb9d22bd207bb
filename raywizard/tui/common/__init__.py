"""Textual pieces shared by the wizard and the dashboard."""
