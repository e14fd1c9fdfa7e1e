BEGIN TRANSACTION;
UPDATE "orders" SET "status"=@p1,"updated_at"=@p2 WHERE (id = @p3 AND status IN (@p4)) AND user_id = @p5;
COMMIT;
