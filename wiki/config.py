"""Documented defaults; every key is listed in the README's configuration table."""

# Database URL: a SQLite file (relative paths are inside instance/) or postgresql://user@host/db.
DATABASE_URL = "sqlite:///fahrplan.db"
# Secret key for signing cookies and CSRF tokens; generated into instance/secret_key when unset.
SECRET_KEY = None
# Anonymous visitors may read every page (an intranet's usual choice); off: login required.
READ_WITHOUT_LOGIN = True
# Days of inactivity after which a server-side session ends.
SESSION_DAYS = 14
# Failed logins allowed per account and per address within LOGIN_WINDOW_MINUTES.
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW_MINUTES = 15
# Language when the browser asks for none we have: "de" or "en".
DEFAULT_LANGUAGE = "de"
# Days after which a measure without a new status report counts as stale.
STALE_REPORT_DAYS = 120
# Send the session cookie over HTTPS only; set it behind a TLS-terminating proxy.
SESSION_COOKIE_SECURE = False
# Seconds a CSRF token stays valid (None: as long as the session).
WTF_CSRF_TIME_LIMIT = 8 * 3600
# Origins (e.g. "https://intranet.example.org") allowed to show Fahrplan pages in a frame.
EMBED_FRAME_ORIGINS = []
# Accessibility statement: who to contact about barriers (shown on /accessibility).
ACCESSIBILITY_CONTACT = "Digitalisierungsteam, digitalisierung@example.org"

# --- Single sign-on (issue 6) ---

# --- Embeds and calendar (issue 6) ---

# --- Notifications and e-mail (issue 6) ---

# --- Admin and audit log (issue 6) ---
