"""The transactional outbox: side effects in another service that must not be lost.

A service writes an outbox row (``enqueue``) in the same transaction as the domain
change that causes it, so the side effect exists exactly when the change was
committed. A relay (``relay.Relay``), running as a background task inside each
service process, claims due rows with ``FOR UPDATE SKIP LOCKED`` and a lease (so
relays in several replicas never double-send), runs the row's handler (usually an
HTTP call to a peer whose ``Idempotency-Key`` is the row id, so at-least-once
delivery has an exactly-once effect), and records the outcome: delivered;
retried later with exponential backoff and jitter (the peer is down or answered
5xx); or poisoned (the peer refused it with a 4xx: it stops retrying and keeps
the peer's problem for an administrator, never dropped).

Why in the service process rather than a worker of its own: the relay needs
nothing but the service's database and its peers, which the service already has;
one process fewer to deploy and supervise, and a service replica that is up
delivers its own side effects. Any number of replicas may run it.
"""

from shared.outbox.enqueue import enqueue
from shared.outbox.models import OutboxMixin
from shared.outbox.outcomes import Delivered, Later, Poisoned, Retry

__all__ = ["Delivered", "Later", "OutboxMixin", "Poisoned", "Retry", "enqueue"]
