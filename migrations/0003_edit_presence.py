"""Who has a page's edit form open (for the advisory note "is being edited by …")."""
from peewee import *  # frozen copies of the models, as playhouse.migrations writes them


def up(migrator, db):
    class Page(Model):
        class Meta:
            database = db
            table_name = 'page'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class EditPresence(Model):
        page = ForeignKeyField(Page, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        seen = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'edit_presence'
            indexes = ((('page', 'user'), True),)
    db.create_tables([EditPresence])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('edit_presence'))
