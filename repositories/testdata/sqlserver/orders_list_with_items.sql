SELECT count(*) FROM "orders" WHERE user_id = @p1 AND status = @p2;
SELECT * FROM "orders" WHERE user_id = @p1 AND status = @p2 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
SELECT * FROM "order_items" WHERE order_id IN (@p1,@p2) ORDER BY id;
SELECT count(*) FROM "orders" WHERE user_id = @p1 AND status = @p2;
SELECT * FROM "orders" WHERE user_id = @p1 AND status = @p2 ORDER BY "total_cents" DESC,"id" DESC OFFSET 40 ROWS FETCH NEXT 20 ROWS ONLY;
SELECT * FROM "order_items" WHERE order_id IN (@p1,@p2) ORDER BY id;
SELECT count(*) FROM "orders" WHERE user_id = @p1 AND status = @p2;
