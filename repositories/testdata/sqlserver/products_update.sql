BEGIN TRANSACTION;
UPDATE "products" SET "is_active"=@p1,"updated_at"=@p2 WHERE (id = @p3 AND is_active = @p4) AND "products"."deleted_at" = @p5;
COMMIT;
UPDATE product_counts SET live_count = live_count + @p1, active_count = active_count + @p2 WHERE id = 1;
BEGIN TRANSACTION;
UPDATE "products" SET "description"=@p1,"is_active"=@p2,"name"=@p3,"price_cents"=@p4,"sku"=@p5,"stock"=@p6,"updated_at"=@p7 WHERE id = @p8 AND "products"."deleted_at" = @p9;
COMMIT;
