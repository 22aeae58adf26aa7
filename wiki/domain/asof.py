"""The programme as it was on a day, rebuilt from each measure's revisions of that time."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import peewee

from wiki.domain import clock, vocabulary
from wiki.domain.markdown import code_order
from wiki.models import ActionField, Measure, Page, Revision

DATE_FIELDS = ("planned_start", "planned_end", "actual_start", "actual_end", "legal_deadline")


@dataclass
class MeasureState:
    """A measure's metadata as one revision recorded it (attributes as on Measure)."""

    id: int
    page_id: int
    code: str
    title: str
    field: object
    obligation: str
    status: str
    progress: int
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None
    requires: list

    @property
    def field_id(self):
        """Return the action field's id, as Measure rows have it."""
        return self.field.id


def end_of_day_utc(day):
    """Return the UTC moment (naive, as stored) when a local day ends."""
    local = datetime.combine(day + timedelta(days=1), time.min, tzinfo=clock.zone())
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def revisions_as_of(day):
    """Return each measure page's newest revision saved by the end of day."""
    newest = (Revision.select(Revision.page, peewee.fn.MAX(Revision.number).alias("number"))
              .join(Page, on=(Revision.page == Page.id))
              .where((Page.kind == "measure") & (Revision.created < end_of_day_utc(day)))
              .group_by(Revision.page))
    return (Revision.select(Revision.page, Revision.meta)
            .join(newest, on=((Revision.page == newest.c.page_id)
                              & (Revision.number == newest.c.number))))


def measures_as_of(day):
    """Return the measures as they stood at the end of day, in architecture order."""
    fields = {f.code: f for f in ActionField.select()}
    ids = Measure.ids_by_page()  # keyed like today's measures, so every lookup is the same
    states, words = [], vocabulary.current()
    for revision in revisions_as_of(day):
        meta = revision.meta
        if meta.get("field") not in fields:
            continue  # an action field since deleted
        dates = {name: date.fromisoformat(meta[name]) if meta.get(name) else None
                 for name in DATE_FIELDS if name != "legal_deadline"}
        states.append(MeasureState(
            id=ids[revision.page_id], page_id=revision.page_id, code=meta["code"],
            title=meta.get("title", ""), field=fields[meta["field"]],
            obligation=meta.get("obligation", words.default_marking),
            status=meta.get("status", words.default_status),
            progress=meta.get("progress") or 0, requires=list(meta.get("requires") or []),
            **dates))
    states.sort(key=lambda m: (m.field.position, m.field.code, code_order(m.code)))
    return states
