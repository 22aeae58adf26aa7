"""Script never runs from page content: every XSS vector, saved as a page, opened in Chromium."""
import pytest

from tests.xss_vectors import VECTORS
from wiki.models import User
from wiki.revisions import save_page

pytestmark = pytest.mark.browser

# What would show that content escaped the sanitiser, even where CSP stopped it running.
ACTIVE_CONTENT = """() => {
  const found = [];
  for (const el of document.querySelectorAll('main .content *, main h1 *')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'svg', 'math', 'style', 'form', 'base',
         'meta', 'link', 'frame', 'frameset'].includes(tag)) found.push(tag);
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\x00-\\x20]+/g, '').toLowerCase();
      if (attr.name.startsWith('on') || attr.name === 'style'
          || (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attr.name)
              && /^(javascript|vbscript|data):/.test(value))) {
        found.push(`${tag}[${attr.name}=${attr.value}]`);
      }
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def vector_pages(live_app):
    """Save one wiki page per vector (as body and in the title); return their slugs."""
    with live_app.app_context():
        author = User.by_name("editor")
        return [save_page(None, title=f"XSS {number} {vector[:80]}", body=vector,
                          author=author, slug=f"xss-{number}").page.slug
                for number, vector in enumerate(VECTORS)]


def test_no_vector_runs_script(page, vector_pages):
    """No vector opens a dialog, trips the CSP, or leaves active markup in the page."""
    problems = []
    for number, slug in enumerate(vector_pages):
        before = len(page.recorder.dialogs), len(page.recorder.csp)
        response = page.goto(f"/pages/{slug}")
        assert response.status == 200, slug
        # Give handlers that fire on load, error, focus or animation a moment to do so.
        page.wait_for_timeout(20)
        active = page.evaluate(ACTIVE_CONTENT)
        fired = page.recorder.dialogs[before[0]:] + page.recorder.csp[before[1]:]
        if active or fired:
            problems.append((VECTORS[number], active, fired))
    page.recorder.csp.clear()  # reported here, with the vector, rather than by the fixture
    assert not problems, "\n".join(map(repr, problems))
    assert page.recorder.dialogs == []


def test_the_recorders_hear_dialogs_and_csp_violations(page):
    """A dialog and a refused inline script are recorded: the XSS test really listens."""
    page.goto("/")
    page.evaluate("setTimeout(() => alert('probe'), 0)")
    page.evaluate("""() => {
      const script = document.createElement('script');
      script.textContent = 'window.ran = true';
      document.body.append(script);
    }""")
    page.wait_for_timeout(100)
    assert page.recorder.dialogs == ["alert: probe"]
    assert page.evaluate("window.ran") is None
    assert any("script-src" in message for message in page.recorder.csp)
    page.recorder.csp.clear()
