BEGIN TRANSACTION;
UPDATE "users" SET "role"=role,"updated_at"=@p1 WHERE (role = @p2 AND is_active = @p3) AND "users"."deleted_at" = @p4;
COMMIT;
