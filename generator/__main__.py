"""`python -m generator` is the `rectify` command."""

from .cli import main

main()
