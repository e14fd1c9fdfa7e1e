SELECT count(*) FROM "products" WHERE is_active = @p1 AND "products"."deleted_at" = @p2;
SELECT * FROM "products" WHERE is_active = @p1 AND "products"."deleted_at" = @p2 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
