"""``python -m migreg``: the same command line as the ``migreg`` script."""

from migreg.main import app

app()
