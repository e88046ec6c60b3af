"""Database plumbing shared by every warehouse entity: engine, sessions, base metadata, migrations."""
