BEGIN TRANSACTION;
INSERT INTO "orders" ("user_id","status","total_cents","created_at","updated_at") OUTPUT INSERTED."id" VALUES (@p1,@p2,@p3,@p4,@p5);
COMMIT;
