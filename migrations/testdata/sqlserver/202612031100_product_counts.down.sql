DROP TABLE "product_counts";
