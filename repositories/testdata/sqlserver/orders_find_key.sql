SELECT * FROM "idempotency_keys" WHERE user_id = @p1 AND idem_key = @p2 AND expires_at > @p3 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 1 ROWS ONLY;
