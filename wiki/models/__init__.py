"""The domain models; import them from here."""
from wiki.models.accounts import LoginThrottle, Session, User
from wiki.models.admin import AuditEntry, ChangeCounter
from wiki.models.content import (
    ActionField,
    EditPresence,
    Page,
    PageAlias,
    PageLink,
    Revision,
    Strategy,
)
from wiki.models.files import Blob, BlobChunk, FileVersion, ImageVariant, StoredFile
from wiki.models.measures import Dependency, Measure
from wiki.models.reports import Comment, CommentVersion, ReportRound, ReportVersion, StatusReport
from wiki.models.watching import Notification, Watch

MODELS = [
    User, Session, LoginThrottle,
    Strategy, ActionField, Page, Revision, PageAlias, PageLink, EditPresence,
    Measure, Dependency,
    StatusReport, ReportVersion, ReportRound, Comment, CommentVersion,
    Blob, BlobChunk, StoredFile, FileVersion, ImageVariant,
    Watch, Notification,
    AuditEntry, ChangeCounter,
]

__all__ = [model.__name__ for model in MODELS] + ["MODELS"]
