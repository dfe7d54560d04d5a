"""Batch triage over JSONL, for `parley triage --input IN.jsonl --output OUT.jsonl`.

Input records: `{"id", "text", "channel"?, "received_at"?, "subject"?, "timezone"?}`
(TAXONOMY.md; `timezone` is the debtor's IANA zone, for relative dates). Records are triaged in
batches so the encoder runs once per batch and the model is loaded once. One bad
line yields `{"id": ..., "error": "line 7: ..."}` and the batch goes on: a file of ten thousand
replies must not stop at the first typo. Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from nlp.engine import TriageEngine, TriageRequest, default_engine

BATCH = 1024  # the encoder sorts a batch by length before padding: bigger batches pad less
# (256 -> 1024: full triage went from 0.60x to 0.88x the bare encoder in bench/triage.py); a
# batch of 1,024 analyses holds a few MB

__all__ = ["triage_jsonl", "triage_record"]


class RecordError(ValueError):
    """An input record cannot be triaged; the message says which field to fix."""


def _parse_time(value: Any) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if not isinstance(value, str):
        raise RecordError("received_at must be an ISO 8601 string like 2026-03-02T09:00:00+00:00")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RecordError(
            f"received_at {value!r} is not ISO 8601; write it like 2026-03-02T09:00:00+00:00"
        ) from exc
    if when.tzinfo is None:
        raise RecordError(
            f"received_at {value!r} has no UTC offset; add one, e.g. {value}+00:00"
        )
    return when


def _request(record: Any) -> TriageRequest:
    if not isinstance(record, dict):
        raise RecordError("each line must be a JSON object with id and text")
    if "id" not in record:
        raise RecordError("missing field id")
    text = record.get("text")
    if not isinstance(text, str):
        raise RecordError("field text must be a string (the message body)")
    channel = record.get("channel") or "email"
    if channel not in ("email", "sms"):
        raise RecordError(f"channel {channel!r} must be 'email' or 'sms'")
    subject = record.get("subject") or ""
    if not isinstance(subject, str):
        raise RecordError("field subject must be a string")
    timezone = record.get("timezone")
    if timezone is not None and not isinstance(timezone, str):
        raise RecordError("field timezone must be an IANA name like America/New_York")
    return TriageRequest(
        text=text,
        subject=subject,
        channel=channel,
        received_at=_parse_time(record.get("received_at")),
        message_id=str(record["id"]),
        timezone=timezone,
    )


def triage_record(record: Any, engine: TriageEngine | None = None) -> dict[str, Any]:
    """Triage one decoded input record into its TAXONOMY JSON object.

    Raises:
        RecordError: the record is not an object, or `id`, `text`, `channel`, `subject`,
            `timezone` or `received_at` is missing or of the wrong type.
    """
    return (engine or default_engine()).triage_many([_request(record)])[0].to_json()


def triage_jsonl(
    lines: Iterable[str], engine: TriageEngine | None = None, *, batch_size: int = BATCH
) -> Iterator[str]:
    """Triage each JSONL input line; yield one JSON line per non-blank input line, in order.

    Records are triaged `batch_size` at a time so the encoder runs batched. A record without
    `received_at` is resolved against the current time: relative dates in it then depend on
    when the batch ran.
    """
    engine = engine or default_engine()
    pending: list[tuple[Any, TriageRequest | str]] = []

    def one(request: TriageRequest) -> dict[str, Any]:
        try:
            return engine.triage_many([request])[0].to_json()
        except Exception as exc:  # a bug on one record must not lose the rest of the file
            return {"id": request.message_id, "error": f"triage failed ({type(exc).__name__}: "
                    f"{exc}); please report this record to the Parley maintainers"}

    def flush() -> Iterator[str]:
        requests = [item for _, item in pending if isinstance(item, TriageRequest)]
        try:
            results = [t.to_json() for t in engine.triage_many(requests)]
        except Exception:
            results = [one(r) for r in requests]  # find the record that fails, keep the rest
        done = iter(results)
        for record_id, item in pending:
            out = {"id": record_id, "error": item} if isinstance(item, str) else next(done)
            yield json.dumps(out, ensure_ascii=False)
        pending.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record_id: Any = None
        try:
            record = json.loads(line)
            if isinstance(record, dict):
                record_id = record.get("id")
            pending.append((record_id, _request(record)))
        except json.JSONDecodeError as exc:
            pending.append((record_id, f"line {number}: not valid JSON ({exc.msg})"))
        except RecordError as exc:
            pending.append((record_id, f"line {number}: {exc}"))
        if len(pending) >= batch_size:
            yield from flush()
    yield from flush()
