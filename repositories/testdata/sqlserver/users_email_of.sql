SELECT "email" FROM "users" WHERE id = @p1;
