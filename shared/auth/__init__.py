"""Authentication and authorization: the only place that knows about JWT."""
