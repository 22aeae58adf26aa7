"""Full-text search index: SQLite FTS5, or PostgreSQL tsvector with the German configuration."""
from peewee import SqliteDatabase


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "key UNINDEXED, kind UNINDEXED, url UNINDEXED, field UNINDEXED, title, body, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')")
        return
    db.execute_sql(
        "CREATE TABLE search_index ("
        "key VARCHAR(80) PRIMARY KEY, kind VARCHAR(10) NOT NULL, url VARCHAR(300) NOT NULL, "
        "field VARCHAR(20) NOT NULL DEFAULT '', title TEXT NOT NULL, body TEXT NOT NULL, "
        "document tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('german', title), 'A') || "
        "setweight(to_tsvector('german', body), 'B')) STORED)")
    db.execute_sql("CREATE INDEX search_index_document ON search_index USING GIN (document)")
    db.execute_sql("CREATE INDEX search_index_kind ON search_index (kind, field)")


def down(migrator, db):
    db.execute_sql("DROP TABLE search_index")
