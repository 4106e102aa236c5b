"""Signing in and out: the ministry's OpenID Connect provider, or (development) a role picker."""
