BEGIN TRANSACTION;
INSERT INTO "products" ("sku","name","description","price_cents","stock","is_active","created_at","updated_at","deleted_at") OUTPUT INSERTED."id" VALUES (@p1,@p2,@p3,@p4,@p5,@p6,@p7,@p8,@p9);
COMMIT;
UPDATE product_counts SET live_count = live_count + @p1, active_count = active_count + @p2 WHERE id = 1;
