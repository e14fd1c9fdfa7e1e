BEGIN TRANSACTION;
UPDATE products SET stock = stock - @p1, updated_at = @p2 WHERE id = @p3 AND is_active = @p4 AND stock >= @p5 AND deleted_at = 0;
COMMIT;
