"""The staff web console: server-rendered pages over the three services' APIs."""
