BEGIN TRANSACTION;
UPDATE "outbox" SET "attempts"=@p1,"due_at"=@p2,"state"=@p3,"updated_at"=@p4 WHERE id = @p5 AND state = @p6;
COMMIT;
