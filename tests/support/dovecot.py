"""A real Dovecot IMAP server on loopback, one per test, in a scratch folder.

Started from Debian's dovecot-imapd with a config written here (nothing in /etc/dovecot is
read). Runs as root in CI: the login process runs as `dovenull`, mail as `dovecot`, so every
parent folder of the scratch folder needs o+x and the Maildir belongs to `dovecot`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import stat
import subprocess
import time
from pathlib import Path

from imapclient import IMAPClient

from tests.support.smtp_sink import free_port

__all__ = ["DEFAULT_CAPABILITIES", "DOVECOT_BINARY", "DovecotMissingError", "DovecotServer"]

DOVECOT_BINARY = "/usr/sbin/dovecot"

# Dovecot 2.3's own post-login list; `imap_capability` replaces it as a whole.
_CAPABILITIES = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES "
    "THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN "
    "NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES "
    "WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW "
    "STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE"
)
DEFAULT_CAPABILITIES = tuple(_CAPABILITIES.split())

_CONFIG = """\
instance_name = parley-test-{port}
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
mailbox_idle_check_interval = 1 secs
imap_capability = {capabilities}
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
first_valid_uid = 100
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
"""


class DovecotMissingError(RuntimeError):
    pass


class DovecotServer:
    """One Dovecot instance with one user; `without` drops capabilities (IDLE, MOVE)."""

    def __init__(
        self,
        root: Path,
        *,
        username: str = "collector@example.test",
        password: str = "s3cret",
        without: tuple[str, ...] = (),
    ) -> None:
        if not Path(DOVECOT_BINARY).exists():
            raise DovecotMissingError(
                f"{DOVECOT_BINARY} not found: the IMAP tests need a real Dovecot; "
                "run `apt-get install -y dovecot-imapd`"
            )
        self.host = "127.0.0.1"
        self.port = free_port()
        self.username = username
        self.password = password
        self.root = root
        self.capabilities = [c for c in DEFAULT_CAPABILITIES if c not in set(without)]
        self.config = root / "dovecot.conf"
        self._proc: subprocess.Popen[bytes] | None = None
        self._prepare()

    def _prepare(self) -> None:
        dovecot = pwd.getpwnam("dovecot")
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "users").write_text(f"{self.username}:{{PLAIN}}{self.password}::::::\n")
        self.config.write_text(
            _CONFIG.format(
                root=self.root, port=self.port, capabilities=" ".join(self.capabilities)
            )
        )
        os.chown(self.root / "mail", dovecot.pw_uid, dovecot.pw_gid)
        # Dovecot's auth and mail processes must traverse every parent of the scratch folder.
        self.root.chmod(0o755)
        for folder in self.root.parents:
            mode = stat.S_IMODE(folder.stat().st_mode)
            if mode & 0o001 == 0:
                folder.chmod(mode | 0o011)

    def start(self, timeout: float = 30) -> DovecotServer:
        log = (self.root / "dovecot.stdout").open("ab")
        self._proc = subprocess.Popen(
            [DOVECOT_BINARY, "-F", "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"dovecot exited at start:\n{self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=2) as sock:
                    if sock.recv(64).startswith(b"* OK"):
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"dovecot did not greet within {timeout}s:\n{self.log()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the master; its imap processes and their client connections end with it."""
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(15)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(15)
        self._proc = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self._accepting():
            time.sleep(0.05)

    def restart(self) -> None:
        self.stop()
        self.start()

    def _accepting(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1):
                return True
        except OSError:
            return False

    def client(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=15)
        client.login(self.username, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX", flags: tuple[bytes, ...] = ()) -> int:
        """Append a message as an MTA would deliver it; returns its UID."""
        client = self.client()
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            response = client.append(folder, raw, flags=flags)
        finally:
            client.logout()
        # Dovecot answers "[APPENDUID <uidvalidity> <uid>] Append completed."
        text = response.decode() if isinstance(response, bytes) else str(response)
        return int(text.split("APPENDUID", 1)[1].split()[1].rstrip("]"))

    def messages(self, folder: str = "INBOX") -> list[tuple[int, tuple[bytes, ...]]]:
        """(uid, flags) of every message in `folder`, read without changing any flag."""
        client = self.client()
        try:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            flags = client.get_flags(uids) if uids else {}
            return [(uid, tuple(flags[uid])) for uid in sorted(flags)]
        finally:
            client.logout()

    def uidvalidity(self, folder: str = "INBOX") -> int:
        client = self.client()
        try:
            status = client.folder_status(folder, [b"UIDVALIDITY"])
            return int(status[b"UIDVALIDITY"])
        finally:
            client.logout()

    def log(self) -> str:
        parts = []
        for name in ("dovecot.log", "dovecot.stdout"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def wipe_mail(self) -> None:
        """Delete every mailbox on disk (stopped server): the next start has a new UIDVALIDITY."""
        if self._proc is not None:
            raise RuntimeError("stop the server before wiping its mail")
        shutil.rmtree(self.root / "mail" / self.username, ignore_errors=True)
