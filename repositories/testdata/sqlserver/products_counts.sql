SELECT live_count, active_count FROM product_counts WHERE id = 1;
