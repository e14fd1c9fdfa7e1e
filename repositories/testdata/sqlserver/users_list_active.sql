SELECT count(*) FROM "users" WHERE is_active = @p1 AND "users"."deleted_at" = @p2;
SELECT * FROM "users" WHERE is_active = @p1 AND "users"."deleted_at" = @p2 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
