"""What every command needs: the settings and an upgraded database."""

from __future__ import annotations

from dataclasses import dataclass

from parley.settings import Settings, load_settings
from store.db import Database


@dataclass
class Parley:
    settings: Settings
    db: Database

    def close(self) -> None:
        self.db.dispose()


def open_parley(settings: Settings | None = None) -> Parley:
    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    db.upgrade()
    return Parley(settings, db)
