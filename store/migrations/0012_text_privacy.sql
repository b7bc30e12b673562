-- Privacy of free text per workspace, and workspace topics (below): personal data in text answers is
-- masked before they are stored (pii_redaction, on by default); with
-- keep_original_encrypted the original answers are kept beside them,
-- AES-256-GCM encrypted with the server secret "text-originals".
ALTER TABLE workspaces ADD COLUMN pii_redaction INTEGER NOT NULL DEFAULT 1;
ALTER TABLE workspaces ADD COLUMN keep_original_encrypted INTEGER NOT NULL DEFAULT 0;

-- response_originals holds one encrypted original answer per response
-- and question; original_reads records who read them.
CREATE TABLE response_originals (
    workspace_id BIGINT NOT NULL,
    response_id  TEXT NOT NULL,
    question     TEXT NOT NULL,
    ciphertext   TEXT NOT NULL,
    stored_at    BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, response_id, question)
);

CREATE TABLE original_reads (
    workspace_id BIGINT NOT NULL,
    response_id  TEXT NOT NULL,
    user_id      BIGINT NOT NULL,
    read_at      BIGINT NOT NULL
);
CREATE INDEX original_reads_response ON original_reads (workspace_id, response_id);

-- text_topics holds a workspace's own topic taxonomy as JSON; version
-- counts its changes, so that the text.analyze job rebuilds the
-- workspace's analyzer. A workspace without a row uses the default.
CREATE TABLE text_topics (
    workspace_id BIGINT NOT NULL PRIMARY KEY,
    version      INTEGER NOT NULL,
    taxonomy     TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);
