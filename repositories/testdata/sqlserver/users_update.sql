BEGIN TRANSACTION;
UPDATE "users" SET "full_name"=@p1,"is_active"=@p2,"password_hash"=@p3,"role"=@p4,"token_version"="token_version" + 1,"updated_at"=@p5 WHERE id = @p6 AND "users"."deleted_at" = @p7;
COMMIT;
