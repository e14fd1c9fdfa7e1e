SELECT count(*) FROM "products" WHERE is_active = @p1 AND "products"."deleted_at" = @p2;
SELECT p.id, p.sku, p.name, p.description, p.price_cents, p.stock, p.is_active, p.created_at, p.updated_at FROM products p JOIN (SELECT "id" FROM "products" WHERE is_active = @p1 AND "products"."deleted_at" = @p2 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 20 ROWS ONLY) k ON k.id = p.id ORDER BY "p"."id";
