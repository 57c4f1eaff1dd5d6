"""``python -m identity_api ARGS`` is the ``masthead`` command."""

from .cli import main

main()
