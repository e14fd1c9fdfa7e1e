SELECT count(*) FROM "orders" WHERE status = @p1;
SELECT * FROM "orders" WHERE status = @p1 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
