SELECT count(*) FROM "outbox" WHERE state = @p1;
