"""indexes for listing pages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:52:58.896985

At national scale (~450 000 audit events, 40 000 log entries) the listing pages read one page newest
first. Each index below serves one listing query, checked with EXPLAIN QUERY PLAN (SQLite) and
EXPLAIN (PostgreSQL) on the national benchmark data:

- audit_event (at, id): the unfiltered trail and the period filter, newest first; replaces (at) so that
  PostgreSQL need not sort the events of one flush (they share one time) by id.
- audit_event (username, at, id): the username filter, and the filter list's distinct usernames.
- audit_event (entity, at, id): the entity filter (it sorted every event of the entity, ~290 000 answers).
- audit_event (face, at, id): the face filter (it walked the trail for a rare face).
- log_entry (entry_date, id): the log page, newest first across every readable site (it sorted them all).

Index changes only: batch mode leaves the tables in place on SQLite (no copy of the audit trail).
"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.create_index('ix_audit_event_at_id', ['at', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_entity_at', ['entity', 'at', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_face_at', ['face', 'at', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_username_at', ['username', 'at', 'id'], unique=False)

    with op.batch_alter_table('log_entry', schema=None) as batch_op:
        batch_op.create_index('ix_log_entry_date_id', ['entry_date', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('log_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_log_entry_date_id')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_username_at')
        batch_op.drop_index('ix_audit_event_face_at')
        batch_op.drop_index('ix_audit_event_entity_at')
        batch_op.drop_index('ix_audit_event_at_id')
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
