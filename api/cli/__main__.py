"""``python -m api.cli``: the ``aligner`` command."""

from api.cli import main

main()
