"""insights: one covering index on engagement_event (kind, day, person_id, programme_id) for the
learning funnel's looking stages and the manager engagement KPI (no summary tables: the figures
are computed on demand)

Revision ID: 792eab68fa04
Revises: aecf78134e20
Create Date: 2026-11-23 06:28:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '792eab68fa04'
down_revision = 'aecf78134e20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('engagement_event', schema=None) as batch_op:
        batch_op.create_index('ix_engagement_event_kind_day_person',
                              ['kind', 'day', 'person_id', 'programme_id'], unique=False)


def downgrade():
    with op.batch_alter_table('engagement_event', schema=None) as batch_op:
        batch_op.drop_index('ix_engagement_event_kind_day_person')
