"""The ledger: every model call recorded, the response cache, usage reports.

SQLAlchemy Core over a SQLite file in the state folder, or PostgreSQL by URL. Only hashes
and metadata are kept about calls, never prompt text or code.
"""
