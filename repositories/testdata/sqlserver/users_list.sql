SELECT count(*) FROM "users" WHERE "users"."deleted_at" = @p1;
SELECT * FROM "users" WHERE "users"."deleted_at" = @p1 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
