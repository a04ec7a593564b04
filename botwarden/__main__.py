"""``python -m botwarden``."""

from botwarden.cli.main import main

main()
