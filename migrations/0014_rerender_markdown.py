"""Render every stored text again: Markdown as people type it (wiki/domain/markdown_blocks.py).

Lists right under a paragraph, items nested by two spaces, "1)" numbers, backslash breaks and
tables under a paragraph now render as CommonMark has them. The HTML of every revision, report,
comment, action field and round is rendered again with today's renderer (wiki/domain/texts.py);
text written for the old rules renders as before. Prints how many HTML columns changed. Going
back leaves the HTML as it is: the old renderer is gone with the old code.
"""


def up(migrator, db):
    from wiki.domain import texts  # the current renderer, not a frozen copy: that is the point

    changed, total = texts.rerender()
    if total:
        print(f"Markdown neu dargestellt: {changed} von {total} Texten geändert.")


def down(migrator, db):
    pass
