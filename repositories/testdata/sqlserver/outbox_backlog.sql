SELECT state, COUNT(*) AS n FROM "outbox" WHERE state IN (@p1,@p2) GROUP BY "state";
