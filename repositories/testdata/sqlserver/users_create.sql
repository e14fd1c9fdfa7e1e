BEGIN TRANSACTION;
INSERT INTO "users" ("email","password_hash","full_name","role","is_active","token_version","created_at","updated_at","deleted_at") OUTPUT INSERTED."id" VALUES (@p1,@p2,@p3,@p4,@p5,@p6,@p7,@p8,@p9);
COMMIT;
