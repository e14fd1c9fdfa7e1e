SELECT count(*) FROM "outbox" WHERE state IN (@p1,@p2);
