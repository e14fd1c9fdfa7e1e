SELECT * FROM "outbox" WHERE state IN (@p1,@p2) AND due_at <= @p3 ORDER BY due_at,id OFFSET 0 ROW FETCH NEXT 100 ROWS ONLY;
