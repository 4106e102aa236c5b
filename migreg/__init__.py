"""The ``migreg`` command line."""
