"""one person, one voice: presence codes, join cap, invitation codes, tablet enrolment

Revision ID: 5a1c0e7f9b42
Revises: 3e39cf11457a
Create Date: 2026-12-04 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import workshop.models


# revision identifiers, used by Alembic.
revision = '5a1c0e7f9b42'
down_revision = '3e39cf11457a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('protection', sa.String(length=12), server_default='open', nullable=False))
        batch_op.add_column(sa.Column('presence_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('expected_attendance', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('join_cap', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tablet_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('tablet_code_expires', workshop.models.UTCDateTime(timezone=True), nullable=True))
    # Every existing workshop gets its own presence secret (random, so not in SQL).
    import secrets

    conn = op.get_bind()
    workshop_table = sa.table('workshop', sa.column('id', sa.Integer()), sa.column('presence_secret', sa.String(64)))
    for (workshop_id,) in conn.execute(sa.select(workshop_table.c.id)).fetchall():
        conn.execute(
            workshop_table.update().where(workshop_table.c.id == workshop_id).values(presence_secret=secrets.token_hex(32))
        )
    op.create_table(
        'invitation_code',
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('workshop_id', 'code_hash'),
    )


def downgrade():
    op.drop_table('invitation_code')
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.drop_column('tablet_code_expires')
        batch_op.drop_column('tablet_code_hash')
        batch_op.drop_column('join_cap')
        batch_op.drop_column('expected_attendance')
        batch_op.drop_column('presence_secret')
        batch_op.drop_column('protection')
