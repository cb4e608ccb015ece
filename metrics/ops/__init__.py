"""What an operator runs: the command line (cli), backups and restores (backup), the demo data (demo), the +2
points list (points) and the reminders (remind). The top of the tree: nothing else in ``metrics`` imports from here."""
