"""Where the IMAP listener keeps UIDVALIDITY and the last stored UID, so a restart resumes."""

from __future__ import annotations

from store.db import Database
from store.models import ImapState


class DatabaseImapState:
    def __init__(self, db: Database) -> None:
        self.db = db

    def load(self, key: str) -> tuple[int, int] | None:
        with self.db.transaction() as session:
            row = session.get(ImapState, key)
            return (row.uidvalidity, row.last_uid) if row else None

    def save(self, key: str, uidvalidity: int, last_uid: int) -> None:
        with self.db.transaction() as session:
            row = session.get(ImapState, key)
            if row is None:
                session.add(ImapState(key=key, uidvalidity=uidvalidity, last_uid=last_uid))
            else:
                row.uidvalidity = uidvalidity
                row.last_uid = last_uid
