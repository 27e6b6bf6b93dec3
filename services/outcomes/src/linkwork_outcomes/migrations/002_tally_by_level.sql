-- Partition the count cells by level (0: all PCNs, 1: one PCN, 2: one practice). Cells of every
-- level are written as referrals arrive, so without this a national report's few thousand rows
-- would lie scattered among millions of practice rows; in their own partition they are together.

ALTER TABLE tally RENAME TO tally_before_levels;

CREATE TABLE tally (
    level smallint NOT NULL,
    pcn text NOT NULL,
    practice text NOT NULL,
    month date NOT NULL,
    section text NOT NULL,
    key text NOT NULL,
    subkey text NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (level, pcn, practice, month, section, key, subkey),
    CHECK (level = CASE WHEN pcn = '*' THEN 0 WHEN practice = '*' THEN 1 ELSE 2 END)
) PARTITION BY LIST (level);
CREATE TABLE tally_all PARTITION OF tally FOR VALUES IN (0);
CREATE TABLE tally_pcn PARTITION OF tally FOR VALUES IN (1);
CREATE TABLE tally_practice PARTITION OF tally FOR VALUES IN (2);

INSERT INTO tally (level, pcn, practice, month, section, key, subkey, n)
SELECT CASE WHEN pcn = '*' THEN 0 WHEN practice = '*' THEN 1 ELSE 2 END, pcn, practice, month, section, key, subkey, n
FROM tally_before_levels;

DROP TABLE tally_before_levels;
