"""The team's rules: business hours, SLAs, outcome -> next follow-up. Pure: no DB, no UI."""
