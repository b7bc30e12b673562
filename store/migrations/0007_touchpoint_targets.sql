-- A touchpoint's target per feedback metric, as a JSON object such as
-- {"nps": 40, "csat": 85}; figures are shown with their gap to it.
ALTER TABLE touchpoints ADD COLUMN targets TEXT NOT NULL DEFAULT '{}';
