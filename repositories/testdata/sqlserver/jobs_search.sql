SELECT count(*) FROM "outbox" WHERE state = @p1;
SELECT * FROM "outbox" WHERE state = @p1 ORDER BY "created_at" DESC,"id" DESC OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY;
