SELECT count(*) FROM "users" WHERE ((email LIKE @p1 ESCAPE '!' OR full_name LIKE @p2 ESCAPE '!')) AND "users"."deleted_at" = @p3;
SELECT * FROM "users" WHERE ((email LIKE @p1 ESCAPE '!' OR full_name LIKE @p2 ESCAPE '!')) AND "users"."deleted_at" = @p3 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
