"""Setting up an empty instance in the browser, and what an empty instance shows."""
import pytest
from bs4 import BeautifulSoup

from wiki.models import AuditEntry, Page, Strategy

SETUP = {"title": "Digitalstrategie Musterstadt", "period_start": "01.01.2025",
         "period_end": "2029-Q4", "leitbild": "# Digital für alle\n\nMit **allen**.",
         "report_period": "half"}


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def test_roles(client, login):
    """Anonymous visitors go to the login page; editors get 403."""
    assert "/login" in client.get("/admin/setup").headers["Location"]
    login("editor")
    assert client.get("/admin/setup").status_code == 403
    assert client.post("/admin/setup", data=SETUP).status_code == 403
    assert Strategy.current() is None


def test_setup_from_empty(client, login):
    """An admin is pointed to the setup, saves the strategy and Leitbild, sees steps done."""
    login("admin")
    assert soup(client.get("/")).find("a", href="/admin/setup")
    assert soup(client.get("/admin/")).find("a", href="/admin/setup")
    steps = soup(client.get("/admin/setup")).select(".setup-steps li")
    assert [step["class"] for step in steps] == [["open"]] * 4
    response = client.post("/admin/setup", data={**SETUP, "title": ""})
    assert response.status_code == 400 and Strategy.current() is None
    assert client.post("/admin/setup", data=SETUP).status_code == 302
    strategy = Strategy.current()
    assert (strategy.title, strategy.period_start.isoformat(),
            strategy.period_end.isoformat()) == (SETUP["title"], "2025-01-01", "2029-12-31")
    assert strategy.settings == {"report_period": "half"}
    leitbild = Page.get(Page.slug == "leitbild")
    assert strategy.leitbild_id == leitbild.id and "<strong>allen</strong>" in \
        leitbild.latest().html
    assert AuditEntry.get(AuditEntry.action == "strategy.setup")
    steps = soup(client.get("/admin/setup")).select(".setup-steps li")
    assert [step["class"] for step in steps] == [["done"], ["open"], ["open"], ["open"]]
    assert "Digital für alle" in client.get("/").text
    # Saving again with the same text adds no revision.
    assert client.post("/admin/setup", data=SETUP).status_code == 302
    assert Page.get(Page.slug == "leitbild").revision_count == 1


def test_reader_sees_friendly_start(client, login):
    """A reader on an empty instance sees that the programme is being set up."""
    login("reader")
    page = soup(client.get("/"))
    assert "Das Programm wird gerade eingerichtet" in page.h1.get_text()
    assert not page.find("a", href="/admin/setup")


@pytest.mark.parametrize("url", ["/", "/architecture", "/timeline", "/dependencies",
                                 "/measures", "/reports", "/admin/vocabulary", "/admin/"])
def test_empty_instance_pages(client, login, url):
    """Every overview works on an instance with no strategy at all."""
    login("admin")
    assert client.get(url).status_code == 200
