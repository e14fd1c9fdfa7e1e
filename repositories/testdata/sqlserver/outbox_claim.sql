BEGIN TRANSACTION;
UPDATE "outbox" SET "attempts"=@p1,"due_at"=@p2,"sent_at"=@p3,"state"=@p4,"updated_at"=@p5 WHERE id = @p6 AND state = @p7 AND attempts = @p8;
COMMIT;
