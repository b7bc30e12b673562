-- Trained sentiment models, per workspace and versioned. At most one
-- version of a workspace is active; the text.analyze job blends it with
-- the lexicon. The model is stored base64-encoded in blob.
CREATE TABLE text_models (
    workspace_id   BIGINT NOT NULL,
    version        INTEGER NOT NULL,
    created_at     BIGINT NOT NULL,
    examples       INTEGER NOT NULL,
    source         TEXT NOT NULL,
    lexicon_weight DOUBLE PRECISION NOT NULL,
    active         INTEGER NOT NULL DEFAULT 0,
    blob           TEXT NOT NULL,
    PRIMARY KEY (workspace_id, version)
);
