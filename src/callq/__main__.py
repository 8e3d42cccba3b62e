"""`python -m callq`: the same as the `callq` command."""

from callq.cli import main

main()
