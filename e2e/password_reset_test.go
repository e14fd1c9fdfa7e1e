package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/mail/mailtest"
	"tienda/models"
	"tienda/services"
)

// resetToken returns the token of the last reset email to email.
func resetToken(t *testing.T, srv *mailtest.Server, email string) string {
	t.Helper()
	msgs := srv.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Subject != "Reset your tienda password" || len(m.To) != 1 || !strings.EqualFold(strings.Trim(m.To[0], "<>"), email) {
			continue
		}
		_, rest, ok := strings.Cut(m.Text, "/confirm:")
		if !ok {
			t.Fatalf("reset email without a token:\n%s", m.Text)
		}
		return strings.TrimSpace(strings.SplitN(strings.TrimSpace(rest), "\n", 2)[0])
	}
	t.Fatalf("no reset email to %s", email)
	return ""
}

// TestPasswordReset (issue #15 point 4): a reset request answers 202 whatever the email, sends a
// single-use token that expires, kept only as a hash; confirming it sets the password and ends
// every session; requests per email are throttled.
func TestPasswordReset(t *testing.T) {
	t.Parallel()
	for _, engine := range dbtest.Engines() {
		t.Run(engine.Name, func(t *testing.T) {
			srv := mailtest.Start(t)
			e := apptest.New(t, engine, apptest.WithSMTP(srv.Host, srv.Port))
			e.Background()
			ana := e.Customer()
			unknown := e.Post("/auth/password-reset", "", map[string]string{"email": "nobody@example.com"})
			known := e.Post("/auth/password-reset", "", map[string]string{"email": strings.ToUpper(ana.Email)})
			if unknown.Code != http.StatusAccepted || known.Code != http.StatusAccepted || string(unknown.Body) != string(known.Body) {
				t.Fatalf("reset answers differ: unknown %s, known %s; want the same 202", unknown, known)
			}
			apptest.Expect(t, e.Post("/auth/password-reset", "", map[string]string{"email": "not an email"}), http.StatusUnprocessableEntity, "not an email")
			srv.Wait(t, 1, 15*time.Second)
			token := resetToken(t, srv, ana.Email)
			var stored []models.PasswordReset
			e.DB.Find(&stored)
			if len(stored) != 1 || stored[0].TokenHash != services.HashResetToken(token) || strings.Contains(stored[0].TokenHash, token) {
				t.Fatalf("stored resets %+v: want one, holding the token's SHA-256 only", stored)
			}

			confirm := func(token, password string) apptest.Response {
				return e.Post("/auth/password-reset/confirm", "", map[string]string{"token": token, "password": password})
			}
			apptest.Expect(t, confirm("not-the-token", "a brand new password"), http.StatusUnprocessableEntity, "a wrong token")
			apptest.Expect(t, confirm(token, strings.Repeat("p", 73)), http.StatusUnprocessableEntity, "a 73-byte password")
			apptest.Expect(t, confirm(token, "a brand new password"), http.StatusNoContent, "confirm")
			apptest.Expect(t, confirm(token, "another new password"), http.StatusUnprocessableEntity, "the token used again")
			apptest.Expect(t, e.Get("/users/me", ana.Token), http.StatusUnauthorized, "a session from before the reset")
			apptest.Expect(t, e.Post("/auth/login", "", map[string]string{"email": ana.Email, "password": "a brand new password"}), http.StatusOK, "login with the new password")

			// Three emails an hour per address (auth.password_resets_per_hour): the 4th and later
			// requests still answer 202 and send nothing.
			for range 4 {
				apptest.Expect(t, e.Post("/auth/password-reset", "", map[string]string{"email": ana.Email}), http.StatusAccepted, "another request")
			}
			srv.Wait(t, 3, 15*time.Second)
			time.Sleep(300 * time.Millisecond)
			apptest.WaitOutboxDone(t, e, 15*time.Second)
			if n := len(srv.Messages()); n != 3 {
				t.Errorf("%d reset emails to one address in an hour, want 3", n)
			}

			// A token expires after auth.password_reset_ttl.
			bob := e.Customer()
			apptest.Expect(t, e.Post("/auth/password-reset", "", map[string]string{"email": bob.Email}), http.StatusAccepted, "bob's request")
			srv.Wait(t, 4, 15*time.Second)
			late := resetToken(t, srv, bob.Email)
			e.Clock.Advance(31 * time.Minute)
			apptest.Expect(t, confirm(late, "a brand new password"), http.StatusUnprocessableEntity, "an expired token")
		})
	}
}
