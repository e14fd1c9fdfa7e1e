DROP INDEX "ix_products_live_active" ON "products";
