BEGIN TRANSACTION;
UPDATE "outbox" SET "attempts"=@p1,"due_at"=@p2,"last_error"=@p3,"state"=@p4,"updated_at"=@p5 WHERE id = @p6;
COMMIT;
BEGIN TRANSACTION;
UPDATE "outbox" SET "last_error"=@p1,"state"=@p2,"updated_at"=@p3 WHERE id = @p4;
COMMIT;
BEGIN TRANSACTION;
UPDATE "outbox" SET "completed_at"=@p1,"state"=@p2,"updated_at"=@p3 WHERE id = @p4;
COMMIT;
