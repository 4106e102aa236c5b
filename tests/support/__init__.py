"""Test support: databases, apps, tokens and live service processes."""
