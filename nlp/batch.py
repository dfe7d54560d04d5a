"""Batch triage over JSONL, for `parley triage --input IN.jsonl --output OUT.jsonl`.

Input records: `{"id", "text", "channel"?, "received_at"?, "subject"?}` (TAXONOMY.md). One bad
line yields `{"id": ..., "error": "line 7: ..."}` and the batch goes on: a file of ten thousand
replies must not stop at the first typo. Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from nlp.triage import triage

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


def triage_record(record: Any) -> dict[str, Any]:
    """Triage one decoded input record into its TAXONOMY JSON object.

    Raises:
        RecordError: the record is not an object, or `id`, `text`, `channel`, `subject` or
            `received_at` is missing or of the wrong type.
    """
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
    result = triage(
        text,
        subject=subject,
        channel=channel,
        received_at=_parse_time(record.get("received_at")),
        message_id=str(record["id"]),
    )
    return result.to_json()


def triage_jsonl(lines: Iterable[str]) -> Iterator[str]:
    """Triage each JSONL input line; yield one JSON line per non-blank input line.

    A record without `received_at` is resolved against the current time (say so in the CLI
    help): relative dates in it then depend on when the batch ran.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record_id: Any = None
        try:
            record = json.loads(line)
            if isinstance(record, dict):
                record_id = record.get("id")
            out = triage_record(record)
        except json.JSONDecodeError as exc:
            out = {"id": record_id, "error": f"line {number}: not valid JSON ({exc.msg})"}
        except RecordError as exc:
            out = {"id": record_id, "error": f"line {number}: {exc}"}
        except Exception as exc:  # a bug on one record must not lose the rest of the batch
            out = {
                "id": record_id,
                "error": f"line {number}: triage failed ({type(exc).__name__}: {exc}); "
                "please report this line to the Parley maintainers",
            }
        yield json.dumps(out, ensure_ascii=False)
