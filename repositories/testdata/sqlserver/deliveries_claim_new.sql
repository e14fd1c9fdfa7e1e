BEGIN TRANSACTION;
INSERT INTO "deliveries" ("dedupe_key","state","lease_until","attempts","sent_at","created_at","updated_at") OUTPUT INSERTED."id" VALUES (@p1,@p2,@p3,@p4,@p5,@p6,@p7);
COMMIT;
