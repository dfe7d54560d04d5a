from __future__ import annotations

from sqlalchemy import text

from store import audit
from store.db import Database


def test_chain_verifies_and_names_the_first_tampered_event(db: Database) -> None:
    with db.transaction() as session:
        for n in range(5):
            audit.record(session, "test.event", data={"n": n, "text": "naïve € ✓"})
    with db.transaction() as session:
        result = audit.verify(session)
    assert result.ok and result.checked == 5

    with db.transaction() as session:
        session.execute(text("UPDATE audit_events SET data = :d WHERE id = 3"), {"d": '{"n": 99}'})
    with db.transaction() as session:
        result = audit.verify(session)
    assert not result.ok
    assert result.first_bad_id == 3
    assert "changed" in result.problem


def test_removed_event_breaks_the_link(db: Database) -> None:
    with db.transaction() as session:
        for n in range(4):
            audit.record(session, "test.event", data={"n": n})
    with db.transaction() as session:
        session.execute(text("DELETE FROM audit_events WHERE id = 2"))
    with db.transaction() as session:
        result = audit.verify(session)
    assert not result.ok and result.first_bad_id == 3


def test_removed_newest_event_is_noticed(db: Database) -> None:
    with db.transaction() as session:
        for n in range(3):
            audit.record(session, "test.event", data={"n": n})
    with db.transaction() as session:
        session.execute(text("DELETE FROM audit_events WHERE id = 3"))
    with db.transaction() as session:
        result = audit.verify(session)
    assert not result.ok and "newest" in result.problem


def test_rolled_back_transaction_leaves_no_event_and_chain_intact(db: Database) -> None:
    with db.transaction() as session:
        audit.record(session, "kept")
    try:
        with db.transaction() as session:
            audit.record(session, "lost")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with db.transaction() as session:
        audit.record(session, "kept again")
    with db.transaction() as session:
        kinds = [e.kind for e in audit.events(session)]
        assert kinds == ["kept", "kept again"]
    with db.transaction() as session:
        assert audit.verify(session).ok


def test_export_csv_and_jsonl_filter_by_thread(db: Database) -> None:
    with db.transaction() as session:
        audit.record(session, "a", thread_id=1, data={"x": 1})
        audit.record(session, "b", thread_id=2)
        audit.record(session, "c", thread_id=1)
    with db.transaction() as session:
        jsonl = audit.export_text(audit.events(session, thread_id=1), "jsonl")
        csv_text = audit.export_text(audit.events(session, thread_id=1), "csv")
    assert [line.count('"kind"') for line in jsonl.splitlines()] == [1, 1]
    assert '"kind":"a"' in jsonl and '"kind":"c"' in jsonl and '"kind":"b"' not in jsonl
    lines = csv_text.splitlines()
    assert lines[0].startswith("id,at,kind") and len(lines) == 3
