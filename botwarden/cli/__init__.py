"""The ``botwarden`` command line: ``main.py`` is the entry point, one module per group of commands."""
