"""results: one covering index on decision (decided_at, level, version_id) for approval
turnaround on the results page (no summary tables: the figures are computed on demand)

Revision ID: e8f07738bcd9
Revises: 792eab68fa04
Create Date: 2026-11-23 06:29:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e8f07738bcd9'
down_revision = '792eab68fa04'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index('ix_decision_decided_level_version',
                              ['decided_at', 'level', 'version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_decided_level_version')
