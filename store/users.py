"""Console users, their sign-in sessions and queue assignments.

Passwords are hashed with Argon2id (argon2-cffi); session tokens are random and only their
sha256 is stored. Every change here records an audit event with the acting user, in the
caller's transaction, like every other state change in the store.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store import audit
from store.models import ConsoleSession, QueueAssignment, QueueItem, User

ROLES = ("collector", "supervisor", "compliance", "admin")
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps the answer as slow as for a real user,
# so response times do not tell which addresses have accounts.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says what to fix."""


class UserNotFound(LookupError):
    def __init__(self, email: str) -> None:
        super().__init__(f"no user {email!r}; see `parley users list`")


@dataclass(frozen=True)
class UserView:
    """What the web layer and the CLI may know about a user: never the password hash."""

    id: int
    email: str
    role: str
    active: bool
    must_change_password: bool
    last_login_at: datetime | None


@dataclass(frozen=True)
class SignIn:
    """The result of a password check. `user` is None when it failed; `failures` counts the
    consecutive failures for that address, which the web layer uses to slow the next try."""

    user: UserView | None
    failures: int


def _view(user: User) -> UserView:
    return UserView(
        user.id, user.email, user.role, user.active, user.must_change_password, user.last_login_at
    )


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if "@" not in value or len(value) > 320 or any(c.isspace() for c in value):
        raise UserError(f"{email!r} is not an email address")
    return value


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise UserError("the password is longer than 1024 characters")


def generate_password() -> str:
    """A one-time password for a new user: 128 bits, URL-safe, easy to paste."""
    return secrets.token_urlsafe(16)


def add_user(
    session: Session,
    email: str,
    role: str,
    password: str,
    *,
    actor: str,
    must_change_password: bool = False,
) -> UserView:
    address = normalise_email(email)
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    check_password(password)
    if session.execute(select(User.id).where(User.email == address)).first() is not None:
        raise UserError(f"a user {address} already exists; disable it or pick another address")
    user = User(
        email=address,
        role=role,
        password_hash=_hasher.hash(password),
        active=True,
        must_change_password=must_change_password,
        failed_logins=0,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.added", actor=actor, data={"user": address, "role": role})
    return _view(user)


def list_users(session: Session) -> list[UserView]:
    return [_view(u) for u in session.execute(select(User).order_by(User.email)).scalars()]


def get_user(session: Session, email: str) -> UserView:
    user = _find(session, email)
    return _view(user)


def _find(session: Session, email: str) -> User:
    address = email.strip().lower()
    user = session.execute(select(User).where(User.email == address)).scalar()
    if user is None:
        raise UserNotFound(address)
    return user


def disable_user(session: Session, email: str, *, actor: str) -> UserView:
    """Disabled users cannot sign in and their open sessions end at once."""
    user = _find(session, email)
    user.active = False
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))
    audit.record(session, "user.disabled", actor=actor, data={"user": user.email})
    return _view(user)


def set_password(session: Session, email: str, password: str, *, actor: str) -> UserView:
    check_password(password)
    user = _find(session, email)
    user.password_hash = _hasher.hash(password)
    user.must_change_password = False
    user.failed_logins = 0
    audit.record(session, "user.password_changed", actor=actor, data={"user": user.email})
    return _view(user)


def authenticate(session: Session, email: str, password: str, *, client: str = "") -> SignIn:
    """Check a password; record the outcome (success or failure) in the audit log."""
    address = email.strip().lower()[:320]
    user = session.execute(select(User).where(User.email == address)).scalar()
    now = datetime.now(UTC)
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password[:1024])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if user is not None and ok and user.active:
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.failed_logins = 0
        user.last_login_at = now
        audit.record(session, "console.login", actor=user.email, data={"client": client})
        return SignIn(_view(user), 0)
    failures = 1
    if user is not None:
        user.failed_logins += 1
        user.last_failed_at = now
        failures = user.failed_logins
    reason = "unknown user" if user is None else ("disabled" if not user.active else "password")
    audit.record(
        session,
        "console.login_failed",
        actor=address or "(blank)",
        data={"client": client, "reason": reason, "consecutive_failures": failures},
    )
    return SignIn(None, failures)


def failure_delay(failures: int) -> float:
    """Seconds to wait before answering a failed sign-in: doubles per failure, up to 8 s."""
    return float(min(8.0, 0.25 * 2 ** max(0, failures - 1)))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SessionInfo:
    user: UserView
    csrf_token: str


def open_session(session: Session, user_id: int) -> tuple[str, str]:
    """A new sign-in session; returns (cookie token, CSRF token). Expired sessions are swept."""
    now = datetime.now(UTC)
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=_token_hash(token),
            user_id=user_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token, csrf


def lookup_session(session: Session, token: str) -> SessionInfo | None:
    if not token or len(token) > 200:
        return None
    row = session.execute(
        select(ConsoleSession, User)
        .join(User, User.id == ConsoleSession.user_id)
        .where(ConsoleSession.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return None
    console_session, user = row
    if not user.active or console_session.expires_at < datetime.now(UTC):
        return None
    return SessionInfo(_view(user), console_session.csrf_token)


def close_session(session: Session, token: str, *, actor: str) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _token_hash(token)))
    audit.record(session, "console.logout", actor=actor)


class AssignmentError(ValueError):
    """The item cannot be claimed or assigned; the message says why."""


def assign(
    session: Session, item_id: int, assignee_email: str, *, actor: str, claim: bool = False
) -> None:
    """Give an open queue item to a collector or supervisor (a claim is assigning oneself)."""
    item = session.get(QueueItem, item_id)
    if item is None:
        raise AssignmentError(f"queue item {item_id} does not exist")
    if item.status != "open":
        raise AssignmentError(
            f"queue item {item_id} was already resolved by {item.resolved_by or 'someone'}"
        )
    user = _find(session, assignee_email)
    if not user.active or user.role not in ("collector", "supervisor"):
        raise AssignmentError(f"{user.email} cannot work the queue (role {user.role})")
    current = session.get(QueueAssignment, item_id)
    previous: str | None = None
    if current is None:
        current = QueueAssignment(queue_item_id=item_id)
        session.add(current)
    else:
        previous_user = session.get(User, current.user_id)
        previous = previous_user.email if previous_user else None
    current.user_id = user.id
    current.assigned_by = actor
    current.assigned_at = datetime.now(UTC)
    audit.record(
        session,
        "console.claimed" if claim else "console.assigned",
        actor=actor,
        thread_id=item.thread_id,
        data={"queue_item": item_id, "assignee": user.email, "previous": previous},
    )


def assignee_of(session: Session, item_id: int) -> str | None:
    row = session.execute(
        select(User.email)
        .join(QueueAssignment, QueueAssignment.user_id == User.id)
        .where(QueueAssignment.queue_item_id == item_id)
    ).first()
    return row[0] if row else None


def ensure_demo_users(
    session: Session, *, domain: str = "demo.parley.invalid"
) -> list[tuple[str, str, str]]:
    """One user per role for `parley demo`, each with a fresh one-time password (returned once,
    stored hashed, to be changed at first sign-in). Re-running the demo resets them."""
    created: list[tuple[str, str, str]] = []
    for role in ROLES:
        email = f"{role}@{domain}"
        password = generate_password()
        existing = session.execute(select(User).where(User.email == email)).scalar()
        if existing is None:
            add_user(session, email, role, password, actor="demo", must_change_password=True)
        else:
            set_password(session, email, password, actor="demo")
            existing.must_change_password = True
            existing.active = True
        created.append((email, role, password))
    return created
