BEGIN TRANSACTION;
INSERT INTO "orders" ("user_id","status","total_cents","created_at","updated_at") OUTPUT INSERTED."id" VALUES (@p1,@p2,@p3,@p4,@p5);
COMMIT;
BEGIN TRANSACTION;
INSERT INTO "order_items" ("order_id","product_id","sku","name","quantity","unit_price_cents","line_total_cents") OUTPUT INSERTED."id" VALUES (@p1,@p2,@p3,@p4,@p5,@p6,@p7),(@p8,@p9,@p10,@p11,@p12,@p13,@p14);
COMMIT;
