"""application checks and pulse: the level-3 application check (and its per-checkpoint days),
the learner pulse (answers without a person link, and who answered which decision)

Revision ID: aecf78134e20
Revises: 897df60af7ed
Create Date: 2026-11-23 06:27:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'aecf78134e20'
down_revision = '897df60af7ed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pulse_response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('checkpoint_kind', sa.String(length=20), nullable=False),
    sa.Column('approver_level', sa.SmallInteger(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('chose_activities', sa.Boolean(), nullable=False),
    sa.Column('chose_formative', sa.Boolean(), nullable=False),
    sa.Column('chose_summative', sa.Boolean(), nullable=False),
    sa.Column('chose_feedback', sa.Boolean(), nullable=False),
    sa.Column('usefulness', sa.SmallInteger(), nullable=False),
    sa.Column('feedback_helped', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_pulse_response_programme_id_programme'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_response')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('pulse_response', schema=None) as batch_op:
        batch_op.create_index('ix_pulse_response_month_programme', ['month', 'programme_id'], unique=False)

    op.create_table('application_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notified_manager_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.String(length=10), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('measure_name', sa.String(length=200), nullable=False),
    sa.Column('measure_value', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('measure_unit', sa.String(length=60), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['person.id'], name=op.f('fk_application_check_answered_by_id_person')),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoint.id'], name=op.f('fk_application_check_checkpoint_id_checkpoint')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_application_check_decision_id_decision'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['learner_id'], ['person.id'], name=op.f('fk_application_check_learner_id_person')),
    sa.ForeignKeyConstraint(['manager_id'], ['person.id'], name=op.f('fk_application_check_manager_id_person')),
    sa.ForeignKeyConstraint(['notified_manager_id'], ['person.id'], name=op.f('fk_application_check_notified_manager_id_person')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_application_check_programme_id_programme')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_application_check_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_check')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_application_check_submission_id'))
    )
    with op.batch_alter_table('application_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_check_checkpoint_id'), ['checkpoint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_check_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index('ix_application_check_open', ['answered_at', 'due_on'], unique=False)
        batch_op.create_index('ix_application_check_programme_due', ['programme_id', 'due_on'], unique=False)

    op.create_table('pulse_answered',
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_pulse_answered_decision_id_decision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_pulse_answered_person_id_person')),
    sa.PrimaryKeyConstraint('decision_id', name=op.f('pk_pulse_answered'))
    )
    with op.batch_alter_table('pulse_answered', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pulse_answered_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('application_check_days', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.drop_column('application_check_days')

    with op.batch_alter_table('pulse_answered', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_answered_person_id'))

    op.drop_table('pulse_answered')
    with op.batch_alter_table('application_check', schema=None) as batch_op:
        batch_op.drop_index('ix_application_check_programme_due')
        batch_op.drop_index('ix_application_check_open')
        batch_op.drop_index(batch_op.f('ix_application_check_learner_id'))
        batch_op.drop_index(batch_op.f('ix_application_check_checkpoint_id'))

    op.drop_table('application_check')
    with op.batch_alter_table('pulse_response', schema=None) as batch_op:
        batch_op.drop_index('ix_pulse_response_month_programme')

    op.drop_table('pulse_response')
