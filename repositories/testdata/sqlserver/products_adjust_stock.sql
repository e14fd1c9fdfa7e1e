BEGIN TRANSACTION;
UPDATE "products" SET "stock"=stock + @p1,"updated_at"=@p2 WHERE (id = @p3 AND stock + @p4 >= 0 AND stock + @p5 <= @p6) AND "products"."deleted_at" = @p7;
COMMIT;
