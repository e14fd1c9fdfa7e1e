ALTER TABLE users DROP CONSTRAINT df_users_token_version; ALTER TABLE users DROP COLUMN token_version;
