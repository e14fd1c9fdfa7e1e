BEGIN TRANSACTION;
INSERT INTO "outbox" ("task","order_id","recipient","payload","state","due_at","attempts","task_uuid","last_error","sent_at","completed_at","created_at","updated_at") OUTPUT INSERTED."id" VALUES (@p1,@p2,@p3,@p4,@p5,@p6,@p7,@p8,@p9,@p10,@p11,@p12,@p13),(@p14,@p15,@p16,@p17,@p18,@p19,@p20,@p21,@p22,@p23,@p24,@p25,@p26);
COMMIT;
