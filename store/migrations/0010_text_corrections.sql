-- Sentiment corrections: an agent's label for a response's free text,
-- one row per correction; the highest seq of a response is in force.
-- user_id or api_key_id (0 for none) says who corrected it.
CREATE TABLE text_corrections (
    workspace_id   BIGINT NOT NULL,
    response_id    TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    label          TEXT NOT NULL,
    previous_label TEXT NOT NULL,
    user_id        BIGINT NOT NULL DEFAULT 0,
    api_key_id     BIGINT NOT NULL DEFAULT 0,
    corrected_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, response_id, seq)
);
