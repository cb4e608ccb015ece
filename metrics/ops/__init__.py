"""Operations the command line runs on a schedule (reminders and delivery)."""
