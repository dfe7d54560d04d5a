"""`parley users add|list|disable|password`: who may sign in to the console."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from parley.context import open_parley
from store import users


def register(commands: Any) -> None:
    parser = commands.add_parser("users", help="console users and their roles")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add", help="add a user; the password is read from standard input (or prompted)"
    )
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=users.ROLES)
    add.set_defaults(handler=run_add)
    listing = actions.add_parser("list", help="every user, active or not")
    listing.set_defaults(handler=run_list)
    disable = actions.add_parser("disable", help="stop a user signing in; ends their sessions")
    disable.add_argument("email")
    disable.set_defaults(handler=run_disable)
    password = actions.add_parser("password", help="set a user's password (stdin or prompt)")
    password.add_argument("email")
    password.set_defaults(handler=run_password)


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def read_password() -> str:
    """From the terminal (asked twice) or the first line of standard input; never an argument,
    which would land in the shell history and the process list."""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise ValueError("the two passwords differ; nothing was changed")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run_add(args: argparse.Namespace) -> int:
    password = read_password()
    parley = open_parley()
    try:
        with parley.db.transaction() as session:
            user = users.add_user(session, args.email, args.role, password, actor=_actor())
    finally:
        parley.close()
    print(f"added {user.email} ({user.role})")
    return 0


def run_list(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        with parley.db.sessions() as session:
            listed = users.list_users(session)
    finally:
        parley.close()
    for user in listed:
        last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never"
        state = "active" if user.active else "disabled"
        print(f"{user.email:40} {user.role:11} {state:9} last sign-in {last}")
    if not listed:
        print("no users; add one with `parley users add EMAIL --role ROLE`")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    parley = open_parley()
    try:
        with parley.db.transaction() as session:
            user = users.disable_user(session, args.email, actor=_actor())
    finally:
        parley.close()
    print(f"disabled {user.email}")
    return 0


def run_password(args: argparse.Namespace) -> int:
    password = read_password()
    parley = open_parley()
    try:
        with parley.db.transaction() as session:
            user = users.set_password(session, args.email, password, actor=_actor())
    finally:
        parley.close()
    print(f"password changed for {user.email}")
    return 0
