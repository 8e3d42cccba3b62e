"""A separate process that logs outcomes in a loop (for concurrency and crash tests).

Usage: python worker.py DB_TARGET REP NOW_ISO LEAD_ID[,LEAD_ID...] COUNT
Prints `ok CALL_ID` after each committed outcome, so the parent knows exactly how many
commands reported success before it killed us.
"""

import sys
from datetime import datetime, timedelta


def main() -> None:
    target, rep, now_text, lead_ids, count = sys.argv[1:6]
    from callq.config.loading import load_default_rules
    from callq.services.outcomes import log_outcome
    from callq.store.db import open_database

    rules = load_default_rules()
    db = open_database(target)
    now = datetime.fromisoformat(now_text)
    leads = [int(x) for x in lead_ids.split(",")]
    for n in range(int(count)):
        lead = leads[n % len(leads)]
        # Alternate outcomes that keep the lead open, so the loop can go on forever.
        outcome = "busy" if n % 2 else "voicemail"
        result = log_outcome(
            db,
            rules,
            str(lead),
            outcome,
            rep=rep,
            now=now + timedelta(seconds=n),
            note=f"{rep} #{n}",
        )
        print(f"ok {result.call_id}", flush=True)


if __name__ == "__main__":
    main()
