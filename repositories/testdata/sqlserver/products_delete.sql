BEGIN TRANSACTION;
UPDATE "products" SET "deleted_at"=@p1 WHERE id = @p2 AND "products"."deleted_at" = @p3;
COMMIT;
