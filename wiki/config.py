"""Documented defaults; every key is listed in the README's configuration table."""

# Database URL: a SQLite file (relative paths are inside instance/) or postgresql://user@host/db.
DATABASE_URL = "sqlite:///fahrplan.db"
# Secret key for signing cookies and CSRF tokens; generated into instance/secret_key when unset.
SECRET_KEY = None
# Anonymous visitors may read every page (an intranet's usual choice); off: login required.
READ_WITHOUT_LOGIN = True
# Days of inactivity after which a server-side session ends.
SESSION_DAYS = 14
# Failed logins of an account before each further attempt waits: 1, 2, 4 … seconds, at most
# LOGIN_WINDOW_MINUTES; the count starts afresh after a login or a quiet window.
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW_MINUTES = 15
# Failed logins from one address within LOGIN_WINDOW_MINUTES; far above one person's rate, as
# everybody shares the proxy's address unless PROXY_HOPS is set.
LOGIN_ADDRESS_MAX_FAILURES = 100
# Reverse proxies in front of Fahrplan whose X-Forwarded-For (and the nearest one's
# X-Forwarded-Proto) are believed; 0: none, the connecting address is the client's.
PROXY_HOPS = 0
# Language when the browser asks for none we have: "de" or "en".
DEFAULT_LANGUAGE = "de"
# The programme's time zone: what "today" is, and the time of day shown for stored moments.
TIME_ZONE = "Europe/Berlin"
# Days after which a measure without a new status report counts as stale.
STALE_REPORT_DAYS = 120
# The years a date or quarter typed into a form, given to the API or imported may have; others
# (9999-Q4, 0999-Q4) are refused as typing errors (wiki/domain/cleaning.py).
DATE_MIN_YEAR = 1990
DATE_MAX_YEAR = 2100
# Send the session cookie over HTTPS only; set it behind a TLS-terminating proxy.
SESSION_COOKIE_SECURE = False
# Browsers send the session cookie along with a form from another site never ("Lax": only
# when following a link); a forged form then arrives without a login.
SESSION_COOKIE_SAMESITE = "Lax"
# Seconds a CSRF token stays valid (None: as long as the session).
WTF_CSRF_TIME_LIMIT = 8 * 3600
# Origins (e.g. "https://intranet.example.org") allowed to show Fahrplan pages in a frame.
EMBED_FRAME_ORIGINS = []
# Megabytes each worker keeps of everything it caches (wiki/caching/store.py): 80 % for whole
# pages while nothing changes, 15 % for rendered cards, reports and overview rows, 5 % for the
# histories' re-plans. 0: no cache at all, every page and fragment rendered anew.
PAGE_CACHE_MB = 20
# Bytes a request may send (forms and API bodies); larger ones get 413. Texts are held to
# 120,000 characters (wiki/domain/markdown.py), which fits several times over. File uploads
# have FILE_MAX_MB.
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
# Megabytes one upload of files may be (several files sent together: all of them).
FILE_MAX_MB = 25
# The file types staff may upload, decided from their content, not their name
# (wiki/domain/filetypes.py).
FILE_TYPES = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "png", "jpeg", "gif", "webp",
              "txt", "csv"]
# A virus scanner each uploaded file is given on stdin, e.g. "clamdscan --fdpass -" (None: none);
# an exit status other than 0, a missing program or SCAN_TIMEOUT seconds refuse the upload.
SCAN_COMMAND = None
SCAN_TIMEOUT = 120
# Accessibility statement: who to contact about barriers (shown on /accessibility).
ACCESSIBILITY_CONTACT = "Digitalisierungsteam, digitalisierung@example.org"

# --- Single sign-on (issue 6) ---
# Name of the header a trusted reverse proxy sets to the signed-on user name, e.g.
# "X-Remote-User" (None: single sign-on off). See docs/sso.md.
SSO_HEADER = None
# Addresses or CIDR networks (e.g. ["127.0.0.1", "10.1.2.0/24"]) of the proxies whose header is
# believed; checked against the connecting address. From anywhere else the header is ignored.
SSO_TRUSTED_PROXIES = []
# Optional headers with the user's display name and e-mail address, copied on every sign-on.
SSO_NAME_HEADER = None
SSO_EMAIL_HEADER = None
# Role of a user whom the header signs on for the first time: reader, editor or admin.
SSO_DEFAULT_ROLE = "reader"

# --- Embeds and calendar (issue 6) ---
# Entries the /embed/changes fragment lists (reports, revisions and comments together).
EMBED_CHANGES = 10
# Days after its due date a report round still counts as the current one on the start page.
CURRENT_ROUND_DAYS = 60

# --- Notifications and e-mail (issue 6) ---
# Absolute address of Fahrplan as users reach it (e.g. "https://fahrplan.intranet.example.org"),
# for the links in e-mails; `fahrplan notify` runs outside any request and needs it.
BASE_URL = None
# Send e-mail about new reports and comments on what users watch, and about mentions; off: the
# notifications show in the app only. `fahrplan notify` (from cron) sends what is pending.
MAIL_ENABLED = False
# The SMTP server: host, port, STARTTLS (MAIL_USE_TLS) or TLS from the start (MAIL_USE_SSL),
# and a login if it needs one (no login when MAIL_USERNAME is empty).
MAIL_SERVER = "localhost"
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = ""
MAIL_PASSWORD = ""  # nosec B105
# Sender of the e-mails.
MAIL_FROM = "Fahrplan <fahrplan@localhost>"
# Seconds to wait for the SMTP server before giving up (the notifications stay pending).
MAIL_TIMEOUT = 10
# A user with more than this many unsent notifications gets one digest instead of single mails.
MAIL_DIGEST_AFTER = 3
# Days after which notifications are deleted (by `fahrplan notify`), read or not.
NOTIFICATION_KEEP_DAYS = 90

# --- Admin and audit log (issue 6) ---
# Days the audit log keeps the network address an admin action came from; then it is blanked
# (0: never store it). The entries themselves are kept.
AUDIT_ADDRESS_DAYS = 90
