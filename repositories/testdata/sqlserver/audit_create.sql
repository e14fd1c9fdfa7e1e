BEGIN TRANSACTION;
INSERT INTO "audit_log" ("actor_id","action","entity","entity_id","before","after","created_at") OUTPUT INSERTED."id" VALUES (@p1,@p2,@p3,@p4,@p5,@p6,@p7);
COMMIT;
