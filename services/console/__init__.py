"""The staff web console: server-rendered pages over the three services' APIs."""

import warnings

from authlib.deprecate import AuthlibDeprecationWarning

# Authlib's httpx integration asks for the separate ``httpx2`` package and warns at
# import when it falls back to ``httpx``, which it supports and we use. Silenced here,
# before the sign-in module imports it, and for that one message only (Authlib's own
# module sets its warnings to "always", so this filter is added after it loads).
warnings.filterwarnings(
    "ignore",
    message="The httpx module is deprecated; please use httpx2 instead.",
    category=AuthlibDeprecationWarning,
)
