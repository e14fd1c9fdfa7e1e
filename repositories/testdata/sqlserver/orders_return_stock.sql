BEGIN TRANSACTION;
UPDATE "products" SET "stock"=stock + @p1,"updated_at"=@p2 WHERE id = @p3;
COMMIT;
