"""``python -m botwarden``."""

from botwarden.cli import main

main()
