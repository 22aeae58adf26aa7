"""Indexes for the overviews: each measure's newest report and its visible comment count."""


def up(migrator, db):
    migrator.migrate(
        migrator.add_index('status_report', ('measure_id', 'date'), False),
        migrator.add_index('comment', ('measure_id', 'deleted', 'hidden'), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('comment', 'comment_measure_id_deleted_hidden'),
        migrator.drop_index('status_report', 'status_report_measure_id_date'),
    )
