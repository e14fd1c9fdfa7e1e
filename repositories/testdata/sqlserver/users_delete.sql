BEGIN TRANSACTION;
UPDATE "users" SET "deleted_at"=@p1 WHERE id = @p2 AND "users"."deleted_at" = @p3;
COMMIT;
