"""Administration: users, action fields, attached files, report rounds, settings, vocabulary,
setup, sheet import, and the audit log."""
from wiki.views.admin import (  # noqa: F401 (each adds its views to bp)
    fields,
    files,
    settings,
    setup,
    sheets,
    users,
    vocabulary,
)
from wiki.views.admin.home import bp  # noqa: F401
