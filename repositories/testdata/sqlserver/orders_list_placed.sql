SELECT count(*) FROM "orders" WHERE created_at >= @p1 AND created_at < @p2;
SELECT * FROM "orders" WHERE created_at >= @p1 AND created_at < @p2 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
