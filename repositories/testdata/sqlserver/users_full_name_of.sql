SELECT "full_name" FROM "users" WHERE id = @p1;
