BEGIN TRANSACTION;
UPDATE "idempotency_keys" SET "order_id"=@p1 WHERE id = @p2;
COMMIT;
