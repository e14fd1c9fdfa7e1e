SELECT count(*) FROM "orders" WHERE user_id = @p1 AND status = @p2;
SELECT * FROM "orders" WHERE user_id = @p1 AND status = @p2 ORDER BY "created_at" DESC,"id" DESC OFFSET 20 ROWS FETCH NEXT 20 ROWS ONLY;
