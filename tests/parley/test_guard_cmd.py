"""`parley guard check` as compliance staff run it: a subprocess, a real database, exit codes."""

from __future__ import annotations

from pathlib import Path

from agent.config import US_MINI_MIRANDA
from tests.parley.test_cli import parley

NOON_NY = "2026-03-02T17:00:00+00:00"
GOOD = (
    f"Hello Dana, your balance is $1,250.00. Pay at https://pay.parley.invalid {US_MINI_MIRANDA} "
    "Reply STOP to opt out."
)


def _imported(tmp_path: Path, accounts_csv: Path) -> None:
    assert parley("import", "accounts", str(accounts_csv), data_dir=tmp_path).returncode == 0


def test_a_compliant_text_is_allowed_with_exit_0(tmp_path: Path, accounts_csv: Path) -> None:
    _imported(tmp_path, accounts_csv)
    result = parley(
        "guard", "check", "--account", "A-100", "--channel", "sms", "--text", GOOD,
        "--at", NOON_NY, data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("allowed")


def test_a_threat_and_a_wrong_amount_are_each_named_with_exit_1(
    tmp_path: Path, accounts_csv: Path
) -> None:
    _imported(tmp_path, accounts_csv)
    text = tmp_path / "draft.txt"
    text.write_text(
        "Pay $2,000.00 today or you will be arrested. " + US_MINI_MIRANDA
        + " Reply STOP to opt out.",
        encoding="utf-8",
    )
    result = parley(
        "guard", "check", "--account", "A-100", "--channel", "sms", "--file", str(text),
        "--at", NOON_NY, data_dir=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("blocked")
    assert "prohibited_language:" in result.stdout
    assert "amounts_match_ledger:" in result.stdout and "$2,000.00" in result.stdout


def test_a_missing_disclosure_blocks_and_an_unknown_account_is_a_user_error(
    tmp_path: Path, accounts_csv: Path
) -> None:
    _imported(tmp_path, accounts_csv)
    blocked = parley(
        "guard", "check", "--account", "A-100", "--channel", "email", "--text", "Hello Dana",
        "--at", NOON_NY, data_dir=tmp_path,
    )  # fmt: skip
    assert blocked.returncode == 1
    assert "disclosure_present:" in blocked.stdout and "opt_out_present:" in blocked.stdout
    unknown = parley(
        "guard", "check", "--account", "NOPE", "--channel", "sms", "--text", GOOD,
        data_dir=tmp_path,
    )  # fmt: skip
    assert unknown.returncode == 2 and "no account 'NOPE'" in unknown.stderr
