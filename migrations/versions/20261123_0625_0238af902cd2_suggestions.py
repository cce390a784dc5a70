"""suggestions: L&D's curated monthly suggestions for the intranet widget

Revision ID: 0238af902cd2
Revises: f53dab7f293c
Create Date: 2026-11-23 06:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0238af902cd2'
down_revision = 'f53dab7f293c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('theme', sa.String(length=120), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_suggestion_created_by_id_person')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_suggestion_programme_id_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion'))
    )
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.create_index('ix_suggestion_month_audience', ['month', 'audience', 'unit'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_programme_id'), ['programme_id'], unique=False)


def downgrade():
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_programme_id'))
        batch_op.drop_index('ix_suggestion_month_audience')

    op.drop_table('suggestion')
