BEGIN TRANSACTION;
INSERT INTO "deliveries" ("dedupe_key","state","lease_until","attempts","sent_at","created_at","updated_at") OUTPUT INSERTED."id" VALUES (@p1,@p2,@p3,@p4,@p5,@p6,@p7);
ROLLBACK;
BEGIN TRANSACTION;
UPDATE "deliveries" SET "attempts"=attempts + 1,"lease_until"=@p1,"updated_at"=@p2 WHERE dedupe_key = @p3 AND state = @p4 AND lease_until < @p5;
COMMIT;
