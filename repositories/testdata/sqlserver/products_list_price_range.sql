SELECT count(*) FROM "products" WHERE price_cents >= @p1 AND price_cents <= @p2 AND "products"."deleted_at" = @p3;
SELECT * FROM "products" WHERE price_cents >= @p1 AND price_cents <= @p2 AND "products"."deleted_at" = @p3 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
