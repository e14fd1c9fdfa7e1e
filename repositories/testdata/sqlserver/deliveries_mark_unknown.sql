BEGIN TRANSACTION;
UPDATE "deliveries" SET "sent_at"=@p1,"state"=@p2,"updated_at"=@p3 WHERE dedupe_key = @p4;
COMMIT;
