SELECT count(*) FROM "products" WHERE ((name LIKE @p1 ESCAPE '!' OR sku LIKE @p2 ESCAPE '!')) AND "products"."deleted_at" = @p3;
SELECT * FROM "products" WHERE ((name LIKE @p1 ESCAPE '!' OR sku LIKE @p2 ESCAPE '!')) AND "products"."deleted_at" = @p3 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
