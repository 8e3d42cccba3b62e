"""`python -m callq`: the same as the `callq` command."""

from callq.launch import main

main()
