SELECT * FROM "products" WHERE id IN (@p1,@p2,@p3) AND "products"."deleted_at" = @p4;
