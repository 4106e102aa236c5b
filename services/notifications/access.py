"""Who may call what in the notifications service, in one place."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth.dependencies import require
from shared.auth.principal import Principal, Role

# Peer services that send messages to people.
Sender = Annotated[Principal, Depends(require(scopes=("notifications:send",)))]
# Messages and templates are read by administrators and by senders (their own messages).
Reader = Annotated[Principal, Depends(require(Role.admin, scopes=("notifications:send",)))]
# Templates are changed by administrators only.
Admin = Annotated[Principal, Depends(require(Role.admin))]
# The SMS gateway reporting deliveries and inbound messages (the body is signed too).
ProviderCallback = Annotated[Principal, Depends(require(scopes=("notifications:callbacks",)))]
