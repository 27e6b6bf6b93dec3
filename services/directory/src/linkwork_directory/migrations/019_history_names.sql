-- The name of who made a change, as their sign-in token gave it, beside their stable subject id: a curator reading
-- the history needs a person, not an id. NULL for changes made before, or by a token without a name.
ALTER TABLE service_history ADD COLUMN actor_name text;
