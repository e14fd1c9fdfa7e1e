SELECT "email" FROM "users" WHERE (role = @p1 AND is_active = @p2) AND "users"."deleted_at" = @p3 ORDER BY id;
