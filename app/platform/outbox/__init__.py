"""The transactional outbox: every side effect of a write leaves from here, after its commit.

A service records what must happen (`uow.emit(messages.job(...))`) in the same transaction as
the change. Once that transaction commits, the request delivers its own rows at once (relay.py);
the sweeper delivers whatever is left: a crash between commit and delivery, AWS or Redis down,
a frozen Lambda. Every message carries its outbox id, so consumers deduplicate on it.
"""
