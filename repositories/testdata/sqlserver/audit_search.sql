SELECT count(*) FROM "audit_log" WHERE actor_id = @p1 AND entity = @p2 AND action = @p3;
SELECT * FROM "audit_log" WHERE actor_id = @p1 AND entity = @p2 AND action = @p3 ORDER BY "created_at" DESC,"id" DESC OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
