-- Invitations, second part: a version for optimistic updates, so that a
-- job that read an invitation cannot overwrite what a response or another
-- job changed meanwhile, and an index for the workspace's invitation list.
-- Portable SQL for SQLite and PostgreSQL; see store/sql.go for the conventions.
ALTER TABLE invitations ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX invitations_workspace ON invitations (workspace_id, id);
