"""The browser console for collectors, supervisors, compliance staff and admins.

`install_console(app, ConsoleService(db, processor), secure_cookies=...)` adds it to the
FastAPI app that also serves the Twilio webhooks, so `parley serve` runs both on one port.
"""

from web.console.routes import install_console
from web.console.service import ConsoleService

__all__ = ["ConsoleService", "install_console"]
