"""Report rounds: cross-measure projects (Maßnahmenübergreifende Projekte) and a version for
conflict-safe editing."""
from peewee import *  # frozen copies of the fields, as playhouse.migrations writes them


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('report_round', 'projects', TextField(default='')),
        migrator.add_column('report_round', 'projects_html', TextField(default='')),
        migrator.add_column('report_round', 'version', IntegerField(default=1)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('report_round', 'version'),
        migrator.drop_column('report_round', 'projects_html'),
        migrator.drop_column('report_round', 'projects'),
    )
