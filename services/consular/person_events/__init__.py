"""What the registry tells consular about a person (a return home), put on their cases."""
