"""The `parley` command as a user runs it: a real subprocess, real files, a real database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def parley(
    *args: str, data_dir: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PARLEY_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
        **(env or {}),
    }
    environment.pop("PARLEY_DATABASE_URL", None)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "parley", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=300,
    )


def test_import_then_tampered_audit_row_is_named_by_verify(
    tmp_path: Path, accounts_csv: Path
) -> None:
    assert parley("init", data_dir=tmp_path).returncode == 0
    imported = parley("import", "accounts", str(accounts_csv), data_dir=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "3 accounts created" in imported.stdout
    ok = parley("audit", "verify", data_dir=tmp_path)
    assert ok.returncode == 0 and "intact" in ok.stdout

    with sqlite3.connect(tmp_path / "parley.db") as connection:
        connection.execute("UPDATE audit_events SET actor = 'mallory' WHERE id = 1")
    broken = parley("audit", "verify", data_dir=tmp_path)
    assert broken.returncode == 1
    assert "event 1" in broken.stderr and "changed" in broken.stderr


def test_bad_csv_names_file_line_and_problem_and_imports_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "accounts.csv"
    bad.write_text(
        "account_id,debtor_name,email,phone,balance,currency,due_date,timezone,jurisdiction\n"
        "A-1,Ann,ann@example.com,,10.00,USD,2026-01-01,America/New_York,US-NY\n"
        "A-2,Bob,bob@example.com,,ten,USD,2026-01-01,America/New_York,US-NY\n",
        encoding="utf-8",
    )
    result = parley("import", "accounts", str(bad), data_dir=tmp_path)
    assert result.returncode == 2
    assert f"{bad}:3: balance 'ten'" in result.stderr
    with sqlite3.connect(tmp_path / "parley.db") as connection:
        assert connection.execute("SELECT count(*) FROM accounts").fetchone() == (0,)


def test_audit_export_csv_and_jsonl(tmp_path: Path, accounts_csv: Path) -> None:
    parley("import", "accounts", str(accounts_csv), data_dir=tmp_path)
    jsonl = parley("audit", "export", data_dir=tmp_path)
    events = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [e["kind"] for e in events] == ["accounts.imported"]
    out = tmp_path / "audit.csv"
    parley("audit", "export", "--format", "csv", "-o", str(out), data_dir=tmp_path)
    assert out.read_text(encoding="utf-8").startswith("id,at,kind,actor")


def test_triage_command_reads_jsonl_and_writes_the_contract(tmp_path: Path) -> None:
    records = [
        {
            "id": "m-1",
            "text": "I'll send $200 next Friday",
            "received_at": "2026-03-02T10:00:00+00:00",
        },
        {"id": "m-2", "text": "STOP", "channel": "sms"},
    ]
    stdin = "\n".join(json.dumps(r) for r in records) + "\nnot json\n"
    result = parley("triage", "--input", "-", "--output", "-", data_dir=tmp_path, stdin=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["id"] == "m-1"
    assert lines[0]["promise"] == {"amount": "200.00", "currency": "USD", "date": "2026-03-06"}
    assert "channel_opt_out" in {i["label"] for i in lines[1]["intents"]}
    assert "error" in lines[2]
    assert result.returncode == 1


def test_secret_in_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "parley.yaml"
    config.write_text("smtp_password: hunter2\n", encoding="utf-8")
    from parley.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="PARLEY_SMTP_PASSWORD"):
        load_settings(config)


def test_environment_overrides_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "parley.yaml"
    config.write_text("http_port: 9000\nimap_folder: Debtors\n", encoding="utf-8")
    monkeypatch.setenv("PARLEY_HTTP_PORT", "9100")
    from parley.settings import load_settings

    settings = load_settings(config)
    assert (settings.http_port, settings.imap_folder) == (9100, "Debtors")


def test_demo_runs_the_bundled_inbox_and_verifies_the_audit_log(tmp_path: Path) -> None:
    result = parley("demo", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    rows = [line for line in lines if line.startswith("d-")]
    assert len(rows) >= 40
    assert any("confirm_promise" in row for row in rows)
    assert any("unknown_sender" in row for row in rows)
    assert any("self_harm_risk" in row for row in rows)
    assert "audit log intact" in result.stdout
    assert not (tmp_path / "parley.db").exists(), "the demo must not touch the real database"
