SELECT id, sku, name, description, price_cents, stock, is_active, created_at, updated_at FROM products WHERE id = @p1 AND deleted_at = 0;
