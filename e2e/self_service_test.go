package e2e

import (
	"net/http"
	"strings"
	"testing"

	"tienda/apptest"
)

// TestSelfService (issue #15 point 4): users change their own name, and their password, which
// ends every other session and answers a fresh token.
func TestSelfService(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ana := e.Customer()
		other := e.Login(ana.Email) // a second session of the same account

		var me struct {
			FullName string `json:"full_name"`
		}
		apptest.Expect(t, e.Patch("/users/me", ana.Token, map[string]any{"full_name": "  Ana María  "}), http.StatusOK, "change my name").Decode(t, &me)
		if me.FullName != "Ana María" {
			t.Errorf("full_name = %q, want it trimmed", me.FullName)
		}
		for name, body := range map[string]any{
			"empty name": map[string]any{"full_name": " "}, "no name": map[string]any{}, "long name": map[string]any{"full_name": strings.Repeat("a", 201)},
		} {
			if r := e.Patch("/users/me", ana.Token, body); r.Code != http.StatusUnprocessableEntity || r.ErrorCode() != "validation_error" {
				t.Errorf("%s: %s, want 422 validation_error", name, r)
			}
		}
		apptest.Expect(t, e.Patch("/users/me", "", map[string]any{"full_name": "X"}), http.StatusUnauthorized, "anonymous")
		apptest.Expect(t, e.Patch("/users/me", ana.Token, map[string]any{"full_name": "X", "role": "admin"}), http.StatusOK, "role is not mine to set")
		var role struct {
			Role string `json:"role"`
		}
		apptest.Expect(t, e.Get("/users/me", ana.Token), http.StatusOK, "me").Decode(t, &role)
		if role.Role != "customer" {
			t.Fatalf("a customer made themselves %s", role.Role)
		}

		change := func(current, next string) apptest.Response {
			return e.Post("/users/me/password", ana.Token, map[string]string{"current_password": current, "new_password": next})
		}
		for name, r := range map[string]apptest.Response{
			"wrong current password": change("not my password", "a brand new password"),
			"short new password":     change(apptest.Password, "short"),
			"73-byte new password":   change(apptest.Password, strings.Repeat("p", 73)),
		} {
			if r.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s: %s, want 422", name, r)
			}
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		apptest.Expect(t, change(apptest.Password, "a brand new password"), http.StatusOK, "change my password").Decode(t, &tok)
		apptest.Expect(t, e.Get("/users/me", tok.AccessToken), http.StatusOK, "the fresh token")
		apptest.Expect(t, e.Get("/users/me", ana.Token), http.StatusUnauthorized, "the session that changed it, old token")
		apptest.Expect(t, e.Get("/users/me", other.Token), http.StatusUnauthorized, "another session")
		apptest.Expect(t, e.Post("/auth/login", "", map[string]string{"email": ana.Email, "password": apptest.Password}), http.StatusUnauthorized, "the old password")
		apptest.Expect(t, e.Post("/auth/login", "", map[string]string{"email": ana.Email, "password": "a brand new password"}), http.StatusOK, "the new password")

		// The audit log records what admins change (decision 0015): an admin's own changes, not a
		// customer's.
		admin := e.Admin()
		apptest.Expect(t, e.Patch("/users/me", admin.Token, map[string]any{"full_name": "The Boss"}), http.StatusOK, "an admin's name")
		var audit struct {
			Total int `json:"total"`
		}
		apptest.Expect(t, e.Get("/audit?action=user.update", admin.Token), http.StatusOK, "audit").Decode(t, &audit)
		if audit.Total != 1 {
			t.Errorf("%d user.update audit entries, want 1 (the admin's own change)", audit.Total)
		}
	})
}
