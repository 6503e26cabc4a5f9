"""consultation keep_comments_after_retention, record_snapshot sha256

Revision ID: 8c4d2e6f1a37
Revises: 5a1c0e7f9b42
Create Date: 2026-12-04 19:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c4d2e6f1a37'
down_revision = '5a1c0e7f9b42'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not batch mode: with a SQL default, batch mode would rebuild the
    # consultation table on SQLite, and dropping it would cascade to every use case.
    op.add_column(
        'consultation',
        sa.Column('keep_comments_after_retention', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    )
    op.add_column('record_snapshot', sa.Column('sha256', sa.String(length=64), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35 and later) for the same reason.
    op.drop_column('record_snapshot', 'sha256')
    op.drop_column('consultation', 'keep_comments_after_retention')
