-- Rollup rows for whole weeks and months beside the daily ones, so that a
-- slice over a year reads a few thousand rows instead of every day's.
-- grain 0 counts a local day, 1 an ISO week (day is its Monday), 2 a
-- calendar month (day is its first). Every response is counted in all
-- three in the same transaction; the store fills the coarser rows of data
-- counted before this migration when it starts.
CREATE TABLE response_rollups_by_grain (
    workspace_id  BIGINT NOT NULL,
    grain         SMALLINT NOT NULL,
    day           INTEGER NOT NULL,
    survey_id     BIGINT NOT NULL,
    touchpoint_id BIGINT NOT NULL,
    channel       TEXT NOT NULL,
    locale        TEXT NOT NULL,
    responses     BIGINT NOT NULL,
    promoters     BIGINT NOT NULL,
    passives      BIGINT NOT NULL,
    detractors    BIGINT NOT NULL,
    csat_n        BIGINT NOT NULL,
    csat_top2     BIGINT NOT NULL,
    csat_sum      BIGINT NOT NULL,
    csat_sumsq    BIGINT NOT NULL,
    ces_n         BIGINT NOT NULL,
    ces_easy      BIGINT NOT NULL,
    ces_sum       BIGINT NOT NULL,
    ces_sumsq     BIGINT NOT NULL,
    rating_n      BIGINT NOT NULL,
    rating_sum    BIGINT NOT NULL,
    rating_sumsq  BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, grain, day, survey_id, touchpoint_id, channel, locale)
);
INSERT INTO response_rollups_by_grain
    SELECT workspace_id, 0, day, survey_id, touchpoint_id, channel, locale, responses, promoters, passives, detractors,
           csat_n, csat_top2, csat_sum, csat_sumsq, ces_n, ces_easy, ces_sum, ces_sumsq, rating_n, rating_sum, rating_sumsq
    FROM response_rollups;
DROP TABLE response_rollups;
ALTER TABLE response_rollups_by_grain RENAME TO response_rollups;
CREATE INDEX response_rollups_touchpoint ON response_rollups (workspace_id, grain, touchpoint_id, day);
