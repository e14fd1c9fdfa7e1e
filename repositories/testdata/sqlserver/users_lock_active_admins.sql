BEGIN TRANSACTION;
UPDATE "users" SET "role"=role WHERE (role = @p1 AND is_active = @p2) AND "users"."deleted_at" = @p3;
COMMIT;
