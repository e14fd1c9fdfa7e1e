BEGIN TRANSACTION;
UPDATE "products" SET "deleted_at"=@p1 WHERE (id = @p2 AND is_active = @p3) AND "products"."deleted_at" = @p4;
COMMIT;
UPDATE product_counts SET live_count = live_count + @p1, active_count = active_count + @p2 WHERE id = 1;
