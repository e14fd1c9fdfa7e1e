SELECT count(*) FROM "products" WHERE stock = 0 AND "products"."deleted_at" = @p1;
SELECT * FROM "products" WHERE stock = 0 AND "products"."deleted_at" = @p1 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
