SELECT * FROM "products" WHERE id = @p1 AND "products"."deleted_at" = @p2 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 1 ROWS ONLY;
