SELECT * FROM "orders" WHERE id = @p1 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 1 ROWS ONLY;
SELECT * FROM "order_items" WHERE "order_items"."order_id" = @p1 ORDER BY id;
