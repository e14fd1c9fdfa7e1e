SELECT * FROM "users" WHERE email = @p1 AND "users"."deleted_at" = @p2 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 1 ROWS ONLY;
