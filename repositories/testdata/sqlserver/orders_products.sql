SELECT id, sku, name, price_cents, stock FROM products WHERE id IN (@p1,@p2,@p3) AND deleted_at = 0;
