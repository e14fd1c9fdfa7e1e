SELECT count(*) FROM "orders" WHERE user_id = @p1;
SELECT * FROM "orders" WHERE user_id = @p1 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
