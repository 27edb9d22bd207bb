"""pytest plugins of the suite, registered in tests/conftest.py: the sandbox fixtures and the thread-leak check."""
