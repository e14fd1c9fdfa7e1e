SELECT id, email, role, is_active, token_version FROM users WHERE id = @p1 AND deleted_at = 0;
