-- The workspace's churn period: a customer churns after this many days
-- without a purchase. Portable SQL for SQLite and PostgreSQL.
ALTER TABLE workspaces ADD COLUMN churn_days INTEGER NOT NULL DEFAULT 180;
