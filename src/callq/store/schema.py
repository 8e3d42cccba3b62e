"""Schema revisions this callq knows, oldest first; the last one is the head."""

KNOWN_REVISIONS = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
)
HEAD_REVISION = KNOWN_REVISIONS[-1]
