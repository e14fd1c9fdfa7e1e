SELECT * FROM "products" WHERE (is_active = @p1 AND stock <= @p2) AND "products"."deleted_at" = @p3 ORDER BY stock,id OFFSET 0 ROW FETCH NEXT 10 ROWS ONLY;
