"""workshop_step released, response released_key, workshop roles_released: what was last shown

Revision ID: 3e7b1d9c5f20
Revises: 8c4d2e6f1a37
Create Date: 2026-12-04 19:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e7b1d9c5f20'
down_revision = '8c4d2e6f1a37'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (nullable, no default): no table is rebuilt on SQLite.
    op.add_column('workshop_step', sa.Column('released', sa.JSON(), nullable=True))
    op.add_column('response', sa.Column('released_key', sa.String(length=401), nullable=True))
    op.add_column('workshop', sa.Column('roles_released', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('workshop', 'roles_released')
    op.drop_column('response', 'released_key')
    op.drop_column('workshop_step', 'released')
