"""What the family is told about a case: SMS through the outbox, and each outcome."""
