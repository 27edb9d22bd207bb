"""Every user-facing setting declared once, and the ``--set`` path grammar over them."""
