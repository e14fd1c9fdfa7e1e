SELECT * FROM "reports" WHERE task_uuid = @p1 ORDER BY "task_uuid" OFFSET 0 ROW FETCH NEXT 1 ROWS ONLY;
SELECT day, orders, items, revenue_cents FROM "report_rows" WHERE task_uuid = @p1 ORDER BY day;
BEGIN TRANSACTION;
DELETE FROM "report_rows" WHERE task_uuid IN (SELECT "task_uuid" FROM "reports" WHERE expires_at < @p1);
COMMIT;
BEGIN TRANSACTION;
DELETE FROM "reports" WHERE expires_at < @p1;
COMMIT;
