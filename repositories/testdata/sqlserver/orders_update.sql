BEGIN TRANSACTION;
UPDATE "orders" SET "status"=@p1,"updated_at"=@p2 WHERE id = @p3;
COMMIT;
