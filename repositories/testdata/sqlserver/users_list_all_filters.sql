SELECT count(*) FROM "users" WHERE ((email LIKE @p1 ESCAPE '!' OR full_name LIKE @p2 ESCAPE '!')) AND role = @p3 AND is_active = @p4 AND "users"."deleted_at" = @p5;
SELECT * FROM "users" WHERE ((email LIKE @p1 ESCAPE '!' OR full_name LIKE @p2 ESCAPE '!')) AND role = @p3 AND is_active = @p4 AND "users"."deleted_at" = @p5 ORDER BY "email","id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
