"""Render every stored text again: Markdown as people type it (wiki/domain/markdown_blocks.py).

Lists right under a paragraph, items nested by two spaces, "1)" numbers, backslash breaks and
tables under a paragraph now render as CommonMark has them. The HTML of every revision, report,
comment, action field and round is rendered again with today's renderer (wiki/domain/texts.py);
text written for the old rules renders as before. Prints how many HTML columns changed. The
search index is built again too: its entries now hold the text as readers see it, so that hits
show no Markdown. Going back leaves both as they are: the old renderer is gone with the code.
"""


def up(migrator, db):
    from wiki.domain import search, texts  # today's renderer, not a frozen copy: that is the point

    changed, total = texts.rerender()
    if total:
        print(f"Markdown neu dargestellt: {changed} von {total} Texten geändert.")
        search.rebuild()


def down(migrator, db):
    pass
