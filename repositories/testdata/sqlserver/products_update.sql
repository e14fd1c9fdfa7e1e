BEGIN TRANSACTION;
UPDATE "products" SET "description"=@p1,"is_active"=@p2,"name"=@p3,"price_cents"=@p4,"sku"=@p5,"stock"=@p6,"updated_at"=@p7 WHERE id = @p8 AND "products"."deleted_at" = @p9;
COMMIT;
