DROP INDEX "ux_idempotency_keys_user_key" ON "idempotency_keys";
ALTER TABLE "idempotency_keys" ALTER COLUMN "idem_key" nvarchar(128) NOT NULL;
CREATE UNIQUE INDEX "ux_idempotency_keys_user_key" ON "idempotency_keys"("user_id","idem_key");
