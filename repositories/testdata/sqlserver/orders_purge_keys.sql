SELECT "id" FROM "idempotency_keys" WHERE expires_at <= @p1 ORDER BY id OFFSET 0 ROW FETCH NEXT 500 ROWS ONLY;
BEGIN TRANSACTION;
DELETE FROM "idempotency_keys" WHERE id IN (@p1,@p2);
COMMIT;
