-- Text analysis of responses' free-text answers. A completed response with
-- text gets text_state 1 (pending) in the transaction that completes it;
-- the text.analyze job stores its analysis and sets 2 (done).
ALTER TABLE responses ADD COLUMN text_state INTEGER NOT NULL DEFAULT 0;
CREATE INDEX responses_text_pending ON responses (workspace_id, id) WHERE text_state = 1;

-- response_texts holds one analysis per response; response_mentions the
-- topic mentions in it, one row each, for slicing figures by topic.
CREATE TABLE response_texts (
    workspace_id    BIGINT NOT NULL,
    response_id     TEXT NOT NULL,
    language        TEXT NOT NULL,
    sentiment       DOUBLE PRECISION NOT NULL,
    sentiment_label TEXT NOT NULL,
    redacted        TEXT NOT NULL,
    model           TEXT NOT NULL,
    analyzed_at     BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, response_id)
);

CREATE TABLE response_mentions (
    workspace_id    BIGINT NOT NULL,
    response_id     TEXT NOT NULL,
    position        INTEGER NOT NULL,
    question        TEXT NOT NULL,
    topic           TEXT NOT NULL,
    term            TEXT NOT NULL,
    start_byte      INTEGER NOT NULL,
    end_byte        INTEGER NOT NULL,
    sentiment       DOUBLE PRECISION NOT NULL,
    sentiment_label TEXT NOT NULL,
    PRIMARY KEY (workspace_id, response_id, position)
);
CREATE INDEX response_mentions_topic ON response_mentions (workspace_id, topic);
