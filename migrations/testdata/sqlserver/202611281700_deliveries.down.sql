DROP TABLE "deliveries";
