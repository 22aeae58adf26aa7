"""An index for the overviews as of a day: each page's newest revision before a moment.

Covering (page, created, number), so finding them reads the index, not 100,000 revision rows.
"""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index('revision', ('page_id', 'created', 'number'), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('revision', 'revision_page_id_created_number'),
    )
