"""nudges: each delivery points at the outbox e-mail it produced (nudge_delivery.outbox_message_id)

Revision ID: a1c3e5f7b9d2
Revises: e8f07738bcd9
Create Date: 2026-11-23 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = 'e8f07738bcd9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('nudge_delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outbox_message_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_nudge_delivery_outbox_message_id'),
                              ['outbox_message_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_nudge_delivery_outbox_message_id_outbox_message'),
            'outbox_message', ['outbox_message_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('nudge_delivery', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_nudge_delivery_outbox_message_id_outbox_message'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_nudge_delivery_outbox_message_id'))
        batch_op.drop_column('outbox_message_id')
