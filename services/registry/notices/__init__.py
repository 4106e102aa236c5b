"""What other services hear about a movement: the family SMS on a departure, and
the consulate's cases on a return. Sent through the registry's outbox."""
