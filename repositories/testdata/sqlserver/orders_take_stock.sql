UPDATE products SET stock = stock - CASE id WHEN @p1 THEN @p2 END, updated_at = @p3 WHERE id IN (@p4) AND is_active = @p5 AND deleted_at = 0 AND stock >= CASE id WHEN @p6 THEN @p7 END;
