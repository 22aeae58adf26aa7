"""Importing measures from a sheet: map its columns, clean each row, check across rows, save.

A column mapping is {column index: field name} (the fields of columns.FIELDS). Each row is
typed with cells.py, cleaned with metadata.clean_measure and checked against the programme:
its action field (by code or title), contact, prerequisites (in the sheet or stored, no
cycle) and code (once in the sheet, not a wiki page's name). A code that exists gives the
measure a new revision when anything changed; the fields the sheet does not map keep their
values. Every problem is collected; with any of them nothing is written (all or nothing).
"""
from dataclasses import dataclass, field

from wiki.db import db
from wiki.domain import (
    cleaning,
    editing,
    metadata,
    prerequisites,
    revisions,
    schedule,
    vocabulary,
)
from wiki.exchange import cells, columns, sheets
from wiki.models import ActionField, Measure, Page, Revision, Strategy, User

SUMMARY = "Aus Tabelle importiert"
REQUIRED = ("code", "title", "field")
END_DATES = ("planned_end", "actual_end", "legal_deadline")
NO_PROGRAMME = ("Die Datenbank enthält noch kein Programm mit Handlungsfeldern; bitte zuerst "
                "ein Programm importieren (fahrplan import ORDNER oder fahrplan demo).")


@dataclass(frozen=True)
class SheetProblem:
    """One problem in a sheet: its row and column (each may be None) and a German message."""

    row: int | None
    column: int | None
    header: str | None
    message: str

    @property
    def where(self):
        """Return where the problem is: "Zeile 5, Spalte C (Status)", "Zeile 5" or ""."""
        name = f" ({self.header})" if self.header else ""
        column = ""
        if self.column is not None:
            column = f"Spalte {sheets.column_name(self.column)}{name}"
        row = f"Zeile {self.row}" if self.row is not None else ""
        return ", ".join(part for part in (row, column) if part)

    @property
    def anchor(self):
        """Return the id of the preview cell (or row) that shows this problem."""
        return f"zeile-{self.row}-{'x' if self.column is None else self.column}"

    def __str__(self):
        """Read like "Zeile 5, Spalte C (Status): Unbekannter Status »fertig« …"."""
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class Entry:
    """One data row: its number, code, cleaned values, body and the measure it updates."""

    number: int
    code: str
    values: dict
    body: str
    errors: dict = field(default_factory=dict)  # field name (None: the row): message
    measure: Measure | None = None
    unchanged: bool = False


@dataclass
class Plan:
    """A sheet checked against the programme: its rows and every problem found."""

    sheet: sheets.Sheet
    mapping: dict
    entries: list = field(default_factory=list)
    problems: list = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    """What an import did: measures created, updated (a new revision) and left unchanged."""

    created: int
    updated: int
    unchanged: int

    def __str__(self):
        """Read like "3 Maßnahmen angelegt, 2 aktualisiert, 9 unverändert."."""
        return (f"{self.created} Maßnahmen angelegt, {self.updated} aktualisiert, "
                f"{self.unchanged} unverändert.")


def guessed_mapping(sheet):
    """Return the mapping columns.guess gives, and a problem for each column it cannot name."""
    mapping, problems = {}, []
    accepted = ", ".join(f"{header} ({name})" for name, header in columns.HEADERS.items())
    for index, name in enumerate(columns.guess(sheet.header)):
        if name is None:
            problems.append(SheetProblem(None, index, sheet.header[index], (
                f"Unbekannte Spalte »{sheet.header[index]}«; erkannt werden: {accepted}.")))
        else:
            mapping[index] = name
    return mapping, problems


def mapping_problems(sheet, mapping):
    """Return the problems of a column mapping: unknown or repeated fields, required missing."""
    problems, seen = [], {}
    for index, name in sorted(mapping.items()):
        header = sheet.header[index] if 0 <= index < len(sheet.header) else None
        if header is None or name not in columns.FIELDS:
            problems.append(SheetProblem(None, index, header, f"Unbekannte Zuordnung »{name}«."))
        elif name in seen:
            problems.append(SheetProblem(None, index, header, (
                f"Spalte {sheets.column_name(seen[name])} und Spalte "
                f"{sheets.column_name(index)} sind beide »{columns.HEADERS[name]}« "
                "zugeordnet; bitte eine davon nicht übernehmen.")))
        else:
            seen[name] = index
    problems += [SheetProblem(None, None, None, f"Spalte für »{columns.HEADERS[name]}« fehlt.")
                 for name in REQUIRED if name not in seen]
    return problems


def prepare(sheet, mapping):
    """Return the Plan of importing a sheet with a mapping: typed rows and every problem."""
    plan = Plan(sheet, dict(mapping))
    if not (Strategy.select().exists() and ActionField.select().exists()):
        plan.problems.append(SheetProblem(None, None, None, NO_PROGRAMME))
        return plan
    plan.problems += mapping_problems(sheet, plan.mapping)
    if not sheet.rows:
        plan.problems.append(SheetProblem(None, None, None, "Die Tabelle enthält keine Zeilen "
                                                            "unter der Kopfzeile."))
    if plan.problems:
        return plan
    context = _Context()
    context.load(_code_of(row, plan.mapping) for row in sheet.rows)
    plan.entries = [_entry(row, plan.mapping, context) for row in sheet.rows]
    _check_across(plan.entries, context)
    where = {name: index for index, name in plan.mapping.items()}
    for entry in plan.entries:
        plan.problems += [SheetProblem(entry.number, where.get(name),
                                       sheet.header[where[name]] if name in where else None,
                                       message)
                          for name, message in entry.errors.items()]
    plan.problems.sort(key=lambda problem: (problem.row or 0, -1 if problem.column is None
                                            else problem.column))
    return plan


class _Context:
    """What the rows are checked against, read once: fields, measures, users."""

    def __init__(self):
        """Read the action fields and the stored measure codes once."""
        fields = list(ActionField.ordered())
        self.field_codes = [field.code for field in fields]
        # The first field of a title wins; a field's code wins over another field's title.
        self.fields = {field.title.casefold(): field.code for field in reversed(fields)}
        self.fields.update((code.casefold(), code) for code in self.field_codes)
        self.stored = {code for (code,) in Measure.select(Measure.code).tuples()}
        self.users, self.measures, self.latest = {}, {}, {}

    def load(self, codes):
        """Read the measures with these codes and their newest revisions (two queries a 500)."""
        codes = sorted(set(codes) & self.stored)
        for start in range(0, len(codes), 500):  # bounded by the number of SQL variables
            chunk = codes[start:start + 500]
            found = list(Measure.select(Measure, Page).join(Page)
                         .where(Measure.code.in_(chunk)))
            self.measures.update((measure.code, measure) for measure in found)
            latest = (Revision.select().join(Page)
                      .where(Revision.page.in_([m.page_id for m in found]),
                             Revision.number == Page.revision_count))
            self.latest.update((revision.page_id, revision) for revision in latest)

    def user_known(self, name):
        """Tell whether an account has this name (asked once per name)."""
        if name not in self.users:
            self.users[name] = User.by_name(name) is not None
        return self.users[name]


def _cell(name, value, context):
    """Return a cell as the raw value clean_measure reads for field name; ValueError if bad."""
    if name in metadata.DATES:
        return cells.cell_day(value, end=name in END_DATES)
    if name == "progress":
        return cells.cell_progress(value)
    if name in ("requires", "tags"):
        return cells.cell_list(value)
    if name == "body":
        if isinstance(value, str):
            return cleaning.markdown_text(value)
        return cells.cell_text(value)
    text = cells.cell_text(value, limit=metadata.TEXT_LIMIT)
    if name in ("status", "obligation") and text:
        return _word(name, text)
    if name == "field" and text:
        if text.casefold() not in context.fields:
            raise ValueError(f"Unbekanntes Handlungsfeld »{text}«; erwartet Kürzel oder Titel "
                             f"eines Handlungsfelds: {', '.join(context.field_codes)}.")
        return context.fields[text.casefold()]
    return text


def _word(name, text):
    """Return a status or marking's key from its key or name; unknown: the names allowed."""
    words = vocabulary.current()
    if name == "status":
        found, what, items = words.find_status(text), "Status", words.statuses
    else:
        found, what, items = words.find_marking(text), "Verbindlichkeit", words.markings
    if found is None:
        names = ", ".join(f"»{vocabulary.shown(item.name)}«" for item in items)
        raise ValueError(f"Unbekannte{'r' if name == 'status' else ''} {what} »{text}«; "
                         f"erlaubt: {names}.")
    return found


def _code_of(row, mapping):
    """Return the code a row gives, cleaned, or "" when it is missing or invalid."""
    index = next(index for index, name in mapping.items() if name == "code")
    try:
        return metadata.clean_code(cells.cell_text(row.cells[index]))
    except ValueError:
        return ""


def _entry(row, mapping, context):
    """Return a row's Entry: stored values overlaid by the mapped cells, cleaned and checked."""
    code = _code_of(row, mapping)
    measure = context.measures.get(code)
    base, body = {}, ""
    if measure is not None:
        latest = context.latest[measure.page_id]
        base = {**metadata.from_snapshot(latest.meta), "title": latest.title}
        body = latest.body
    raw, errors = dict(base), {}
    for index, name in mapping.items():
        try:
            value = _cell(name, row.cells[index], context)
        except ValueError as error:
            errors[name] = str(error)
            continue
        if name == "body":
            body = value
        else:
            raw[name] = value
    values, cleaned_errors = metadata.clean_measure(raw)
    errors.update((name, message) for name, message in cleaned_errors.items()
                  if name not in errors)
    if "contact" not in errors and values["contact"] and not context.user_known(values["contact"]):
        errors["contact"] = f"Unbekannte Person »{values['contact']}« (kein Konto)."
    body = revisions.normalise_body(body)
    entry = Entry(row.number, values.get("code") or code, values, body, errors, measure)
    if measure is not None and not errors:
        entry.unchanged = (values == metadata.clean_measure(base)[0]
                           and body == revisions.normalise_body(latest.body))
    return entry


def _check_across(entries, context):
    """Add the problems between rows: repeated codes, page names, prerequisites, a cycle."""
    first = {}
    for entry in entries:
        if not entry.code or "code" in entry.errors:
            continue
        if entry.code in first:
            entry.errors["code"] = (f"Das Kürzel »{entry.code}« steht schon in Zeile "
                                    f"{first[entry.code].number}.")
        else:
            first[entry.code] = entry
    new = [code for code, entry in first.items() if entry.measure is None]
    for slug in sorted(revisions.taken_slugs(code.lower() for code in new)):
        first[slug.upper()].errors["code"] = (f"Der Name »{slug}« gehört schon einer Wiki-Seite; "
                                              "bitte ein anderes Kürzel wählen.")
    known = context.stored | set(first)
    for entry in first.values():
        missing = prerequisites.unknown(entry.values.get("requires") or [], known)
        if missing and "requires" not in entry.errors:
            entry.errors["requires"] = (f"Unbekannte Voraussetzung: {', '.join(missing)} (weder "
                                        "in der Tabelle noch gespeichert).")
    _check_cycle(first)


def _check_cycle(first):
    """Add a problem for a cycle among the prerequisites, the sheet's replacing the stored."""
    edges = prerequisites.saved_edges()
    for code, entry in first.items():
        if "requires" not in entry.errors:
            edges[code] = set(entry.values.get("requires") or [])
    cycle = schedule.find_cycle(edges)
    if cycle is None:
        return
    entry = next(first[code] for code in cycle if code in first)
    entry.errors.setdefault("requires", "Die Voraussetzungen bilden einen Kreis: "
                                        f"{schedule.format_cycle(cycle)}.")


def apply(plan, author=None):
    """Save a plan without problems in one transaction; return the Summary."""
    if plan.problems:
        raise ValueError("A plan with problems is never applied.")  # a programming error
    created = updated = unchanged = 0
    with db.atomic():
        # New measures first, so that prerequisites among the sheet's rows exist when saved.
        fresh = {entry.code: revisions.new_measure(entry.values)
                 for entry in plan.entries if entry.measure is None}
        for entry in plan.entries:
            if entry.unchanged:
                unchanged += 1
                continue
            measure = fresh.get(entry.code) or entry.measure
            revisions.save_measure(measure, values=entry.values, body=entry.body,
                                   author=author, summary=SUMMARY)
            updated += entry.measure is not None
        for code in fresh:
            editing.refresh_links_to(code.lower())
        created = len(fresh)
    return Summary(created, updated, unchanged)


def import_sheet(sheet, mapping, author=None):
    """Check and save a sheet in one transaction; return (Plan, Summary or None on problems)."""
    with db.atomic():
        plan = prepare(sheet, mapping)
        if plan.problems:
            return plan, None
        return plan, apply(plan, author)


def import_file(data, filename="", author=None):
    """Read, map (by the headers), check and save a sheet file; return (problems, Summary)."""
    try:
        sheet = sheets.read_sheet(data, filename)
    except sheets.SheetError as error:
        return [SheetProblem(None, None, None, str(error))], None
    mapping, problems = guessed_mapping(sheet)
    if problems:
        return problems, None
    plan, summary = import_sheet(sheet, mapping, author)
    return plan.problems, summary
