"""The demo database: weeks of history generated through the outcome rules, in bulk.

`build` makes the file (chunks in worker processes, merged and indexed once), `history`
generates each lead's story by asking `callq.rules` what every call does, and `people`
says who the leads are.
"""
