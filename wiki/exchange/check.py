"""Checks across files: action fields, prerequisites and their cycles, users."""
from wiki.domain import prerequisites, schedule
from wiki.exchange import attachments
from wiki.exchange.programme import ImportProblem
from wiki.models import User


def check_programme(programme, known_users):
    """Return the problems with references between files (known_users: accounts that exist)."""
    problems = []
    for record in programme.measures.values():
        for version in record.versions:
            problems += _measure_references(programme, record.path, version)
    problems += _cycle(programme.measures)
    problems += _pages_named_like_measures(programme)
    problems += [ImportProblem(path, None, message)
                 for path, message in attachments.check_places(programme)]
    if programme.has_user_files:
        problems += _unknown_users(programme, {User.key_for(name) for name in known_users})
    return problems


def _measure_references(programme, path, version):
    """Return an unknown action field or prerequisite that a revision gives itself."""
    problems = []
    code = version.values.get("field")
    if version.owns("field") and code and code not in programme.fields:
        problems.append(ImportProblem(path, version.where + "field", f"Unbekanntes Handlungsfeld "
                                      f"»{code}« (keine Datei fields/{code}.md)."))
    requires = version.values.get("requires", []) if version.owns("requires") else []
    for code in prerequisites.unknown(requires, programme.measures):
        problems.append(ImportProblem(path, version.where + "requires", f"Unbekannte "
                                      f"Voraussetzung »{code}« (keine Datei "
                                      f"measures/{code}.md)."))
    return problems


def _pages_named_like_measures(programme):
    """Return a page whose name is a measure's code: the measure's page has that name."""
    codes = {code.lower(): code for code in programme.measures}
    return [ImportProblem(record.path, None, f"Der Name »{slug}« ist der Maßnahme "
                                             f"{codes[slug]} vorbehalten.")
            for slug, record in programme.pages.items() if slug in codes]


def _cycle(measures):
    """Return a cycle among the newest prerequisites as a problem, named like M05 → M07 → M05."""
    edges = {code: record.newest.values.get("requires", []) for code, record in measures.items()}
    cycle = schedule.find_cycle(edges)
    if cycle is None:
        return []
    message = f"Die Voraussetzungen bilden einen Kreis: {schedule.format_cycle(cycle)}."
    return [ImportProblem(measures[cycle[0]].path, "requires", message)]


def _unknown_users(programme, known):
    """Return every author or contact who has neither a file in users/ nor an account."""
    known = known | set(programme.users)
    return [ImportProblem(path, key, f"Unbekannter Benutzer »{name}« (keine Datei "
                                     f"users/{name}.md und kein Konto).")
            for path, key, name in programme.user_references() if User.key_for(name) not in known]
