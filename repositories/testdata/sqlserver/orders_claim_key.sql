BEGIN TRANSACTION;
DELETE FROM "idempotency_keys" WHERE user_id = @p1 AND idem_key = @p2 AND expires_at <= @p3;
COMMIT;
BEGIN TRANSACTION;
INSERT INTO "idempotency_keys" ("user_id","idem_key","request_hash","order_id","created_at","expires_at") OUTPUT INSERTED."id" VALUES (@p1,@p2,@p3,@p4,@p5,@p6);
COMMIT;
