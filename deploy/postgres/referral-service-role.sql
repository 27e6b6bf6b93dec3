-- The referral service's least-privilege role. Run as the schema owner in the referral database after the
-- service's migrations (psql -v service_role=linkwork_referral -f deploy/postgres/referral-service-role.sql);
-- the service then connects as that role (LINKWORK_DATABASE_URL) and migrates as the owner
-- (LINKWORK_DATABASE_MIGRATION_URL). Run it again after an upgrade adds tables.
GRANT USAGE ON SCHEMA public TO :"service_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"service_role";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :"service_role";
-- The audit log is append-only for the service: it may add and read records, never change or remove them
-- (and a trigger refuses UPDATE, DELETE and TRUNCATE to everyone, the owner included).
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM :"service_role";
-- The migration bookkeeping is the owner's alone.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM :"service_role";
