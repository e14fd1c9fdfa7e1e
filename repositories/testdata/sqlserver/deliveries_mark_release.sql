BEGIN TRANSACTION;
UPDATE "deliveries" SET "sent_at"=@p1,"state"=@p2,"updated_at"=@p3 WHERE dedupe_key = @p4;
COMMIT;
BEGIN TRANSACTION;
DELETE FROM "deliveries" WHERE dedupe_key = @p1 AND state = @p2;
COMMIT;
