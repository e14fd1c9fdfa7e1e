SELECT count(*) FROM "products" WHERE "products"."deleted_at" = @p1;
SELECT * FROM "products" WHERE "products"."deleted_at" = @p1 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
SELECT count(*) FROM "products" WHERE "products"."deleted_at" = @p1;
SELECT * FROM "products" WHERE "products"."deleted_at" = @p1 ORDER BY "id" OFFSET 20 ROWS FETCH NEXT 20 ROWS ONLY;
SELECT count(*) FROM "products" WHERE "products"."deleted_at" = @p1;
SELECT * FROM "products" WHERE "products"."deleted_at" = @p1 ORDER BY "id" OFFSET 40 ROWS FETCH NEXT 20 ROWS ONLY;
SELECT count(*) FROM "products" WHERE "products"."deleted_at" = @p1;
