"""Administration: users, action fields, report rounds, settings, and the audit log."""
from wiki.views.admin import fields, settings, users  # noqa: F401 (each adds its views to bp)
from wiki.views.admin.home import bp  # noqa: F401
