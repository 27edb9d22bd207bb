"""The plain-terminal flow of ``raywizard init`` (questionary) over the same field declarations."""
