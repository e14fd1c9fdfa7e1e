package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"tienda/apptest"
	"tienda/models"
)

func TestUsersList(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		c := newClient(t, e)
		admin := e.Admin() // admin1@example.com
		ana := register(t, c, "ana@example.com", apptest.Password, "Ana Pérez")
		bob := register(t, c, "bob@shop.test", apptest.Password, "Bob Stone")
		carla := register(t, c, "carla@example.com", apptest.Password, "Carla Ana")
		dan := register(t, c, "dan_1@example.com", apptest.Password, "Dan 100%")
		apptest.Expect(t, c.patch(fmt.Sprintf("/users/%d", bob.ID), admin.Token, map[string]any{"is_active": false}), http.StatusOK, "deactivate bob")

		cases := []struct {
			query string
			want  []uint
		}{
			{"", []uint{admin.ID, ana.ID, bob.ID, carla.ID, dan.ID}},
			{q("q", "ana"), []uint{ana.ID, carla.ID}},
			{q("q", "ANA"), []uint{ana.ID, carla.ID}},
			{q("q", "shop.test"), []uint{bob.ID}},
			{q("q", "stone"), []uint{bob.ID}},
			{q("q", "_"), []uint{dan.ID}},
			{q("q", "%"), []uint{dan.ID}},
			{q("q", "zzz"), []uint{}},
			{q("role", "admin"), []uint{admin.ID}},
			{q("role", "customer"), []uint{ana.ID, bob.ID, carla.ID, dan.ID}},
			{q("is_active", "false"), []uint{bob.ID}},
			{q("is_active", "true"), []uint{admin.ID, ana.ID, carla.ID, dan.ID}},
			{q("role", "customer", "is_active", "true", "q", "a"), []uint{ana.ID, carla.ID, dan.ID}},
			{q("sort", "id"), []uint{admin.ID, ana.ID, bob.ID, carla.ID, dan.ID}},
			{q("sort", "-id"), []uint{dan.ID, carla.ID, bob.ID, ana.ID, admin.ID}},
			{q("sort", "email"), []uint{admin.ID, ana.ID, bob.ID, carla.ID, dan.ID}},
			{q("sort", "-email"), []uint{dan.ID, carla.ID, bob.ID, ana.ID, admin.ID}},
			{q("sort", "created_at"), []uint{admin.ID, ana.ID, bob.ID, carla.ID, dan.ID}},
			{q("sort", "-created_at"), []uint{dan.ID, carla.ID, bob.ID, ana.ID, admin.ID}},
			{q("sort", "-email", "role", "customer"), []uint{dan.ID, carla.ID, bob.ID, ana.ID}},
			{q("sort", "-id", "page", "2", "page_size", "2"), []uint{bob.ID, ana.ID}},
		}
		for _, k := range cases {
			l := listUsers(t, c, admin.Token, k.query)
			if got := userIDs(l.Items); !slices.Equal(got, k.want) {
				t.Errorf("GET /users?%s: ids %v, want %v", k.query, got, k.want)
			}
		}
		if l := listUsers(t, c, admin.Token, q("page_size", "2", "page", "3")); l.Total != 5 || len(l.Items) != 1 {
			t.Errorf("page 3 of 2: total %d, %d items; want 5 and 1", l.Total, len(l.Items))
		}
		l := listUsers(t, c, admin.Token, q("q", "bob"))
		if len(l.Items) != 1 || l.Items[0].IsActive || l.Items[0].Email != "bob@shop.test" || l.Items[0].Role != "customer" {
			t.Errorf("bob is listed as %+v, want the deactivated customer", l.Items)
		}

		for _, k := range []struct{ query, field string }{
			{"role=root", "role"},
			{"role=Admin", "role"},
			{"role=", "role"},
			{"is_active=maybe", "is_active"},
			{"sort=full_name", "sort"},
			{"sort=password_hash", "sort"},
			{"sort=role", "sort"},
			{"page=0", "page"},
			{"page_size=101", "page_size"},
			// Found by TestAPIFuzz: SQLite's LIKE stops at a NUL, so q=%00 listed everyone there.
			{"q=%00", "q"},
			{"q=bob%00zzz", "q"},
		} {
			expectDetail(t, c.get("/users?"+k.query, admin.Token), http.StatusBadRequest, "bad_request", k.field, "GET /users?"+k.query)
		}
	})
}

func TestUserGetPatchDelete(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		const newPW = "the second passphrase"
		c := newClient(t, e, newPW, "short")
		admin := e.Admin().Token
		cust := e.Customer()
		path := fmt.Sprintf("/users/%d", cust.ID)

		r := c.get(path, admin)
		orig := decode[user](t, r, http.StatusOK, "GET /users/{id}")
		expectKeys(t, r.Body, userFields, "user")
		if orig.ID != cust.ID || orig.Email != cust.Email || orig.Role != "customer" || !orig.IsActive {
			t.Errorf("GET %s = %+v, want the active customer %s", path, orig, cust.Email)
		}
		expectError(t, c.get("/users/424242", admin), http.StatusNotFound, "not_found", "GET a missing user")
		for _, id := range []string{"abc", "0", "-1"} {
			expectDetail(t, c.get("/users/"+id, admin), http.StatusBadRequest, "bad_request", "id", "GET /users/"+id)
			expectDetail(t, c.patch("/users/"+id, admin, map[string]any{}), http.StatusBadRequest, "bad_request", "id", "PATCH /users/"+id)
			expectDetail(t, c.del("/users/"+id, admin), http.StatusBadRequest, "bad_request", "id", "DELETE /users/"+id)
		}
		expectError(t, c.patch("/users/424242", admin, map[string]any{"full_name": "X"}), http.StatusNotFound, "not_found", "PATCH a missing user")
		expectError(t, c.patch("/users/424242", admin, map[string]any{"role": "customer"}), http.StatusNotFound, "not_found", "demote a missing user")

		for _, k := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"full_name": "  "}, "full_name"},
			{map[string]any{"role": "root"}, "role"},
			{map[string]any{"role": ""}, "role"},
			{map[string]any{"password": "short"}, "password"},
		} {
			expectDetail(t, c.patch(path, admin, k.body), http.StatusUnprocessableEntity, "validation_error", k.field, fmt.Sprintf("PATCH %v", k.body))
		}
		expectDetail(t, c.patch(path, admin, map[string]any{"is_active": "no"}), http.StatusBadRequest, "bad_request", "is_active", "PATCH is_active a string")

		// Fields a client must not set are ignored.
		got := decode[user](t, c.patch(path, admin, map[string]any{
			"email": "hijack@example.com", "id": 999, "token_version": 42, "password_hash": "$2a$04$xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			"created_at": "2000-01-01T00:00:00Z",
		}), http.StatusOK, "PATCH of fields that are not patchable")
		if got != orig {
			t.Errorf("PATCH of unpatchable fields returned %+v, want %+v unchanged", got, orig)
		}
		apptest.Expect(t, c.get("/users/me", cust.Token), http.StatusOK, "the customer's token after token_version was sent")
		login(t, c, cust.Email, apptest.Password)
		expectError(t, c.post("/auth/login", "", map[string]string{"email": "hijack@example.com", "password": apptest.Password}),
			http.StatusUnauthorized, "unauthorized", "login as the email sent in the PATCH")

		// Name and role.
		got = decode[user](t, c.patch(path, admin, map[string]any{"full_name": "  Renamed Person ", "role": "admin"}), http.StatusOK, "promote")
		if got.FullName != "Renamed Person" || got.Role != "admin" || got.Email != orig.Email || !got.UpdatedAt.After(orig.UpdatedAt) {
			t.Errorf("after promotion %+v, want name trimmed, role admin, email kept, updated_at later than %v", got, orig.UpdatedAt)
		}
		expectError(t, c.get("/users", cust.Token), http.StatusUnauthorized, "unauthorized", "the promoted user's token from before the promotion")
		cust.Token = login(t, c, cust.Email, apptest.Password).AccessToken
		apptest.Expect(t, c.get("/users", cust.Token), http.StatusOK, "the promoted user's new token reaches admin routes")
		got = decode[user](t, c.patch(path, admin, map[string]any{"role": "customer"}), http.StatusOK, "demote")
		if got.Role != "customer" || got.FullName != "Renamed Person" {
			t.Errorf("after demotion %+v, want a customer with the new name", got)
		}
		expectError(t, c.get("/users", cust.Token), http.StatusUnauthorized, "unauthorized", "the demoted user's admin token")
		cust.Token = login(t, c, cust.Email, apptest.Password).AccessToken
		expectError(t, c.get("/users", cust.Token), http.StatusForbidden, "forbidden", "the demoted user's new token on an admin route")

		// Active flag.
		got = decode[user](t, c.patch(path, admin, map[string]any{"is_active": false}), http.StatusOK, "deactivate")
		if got.IsActive {
			t.Errorf("after deactivation %+v, want is_active false", got)
		}
		expectError(t, c.get("/users/me", cust.Token), http.StatusUnauthorized, "unauthorized", "token of a deactivated user")
		expectError(t, c.post("/auth/login", "", map[string]string{"email": cust.Email, "password": apptest.Password}),
			http.StatusUnauthorized, "unauthorized", "login of a deactivated user")
		apptest.Expect(t, c.patch(path, admin, map[string]any{"is_active": true}), http.StatusOK, "reactivate")
		token := login(t, c, cust.Email, apptest.Password).AccessToken

		// Password.
		apptest.Expect(t, c.patch(path, admin, map[string]any{"password": newPW}), http.StatusOK, "change password")
		expectError(t, c.get("/users/me", token), http.StatusUnauthorized, "unauthorized", "token from before the password change")
		expectError(t, c.post("/auth/login", "", map[string]string{"email": cust.Email, "password": apptest.Password}),
			http.StatusUnauthorized, "unauthorized", "login with the old password")
		token = login(t, c, cust.Email, newPW).AccessToken
		apptest.Expect(t, c.get("/users/me", token), http.StatusOK, "token from the new password")

		// Delete: the account is gone, its token dead, its email free.
		apptest.Expect(t, c.del(path, admin), http.StatusNoContent, "DELETE")
		expectError(t, c.get(path, admin), http.StatusNotFound, "not_found", "GET a deleted user")
		expectError(t, c.patch(path, admin, map[string]any{"full_name": "Ghost"}), http.StatusNotFound, "not_found", "PATCH a deleted user")
		expectError(t, c.del(path, admin), http.StatusNotFound, "not_found", "DELETE a deleted user")
		expectError(t, c.get("/users/me", token), http.StatusUnauthorized, "unauthorized", "token of a deleted user")
		expectError(t, c.post("/auth/login", "", map[string]string{"email": cust.Email, "password": newPW}),
			http.StatusUnauthorized, "unauthorized", "login of a deleted user")
		again := register(t, c, cust.Email, apptest.Password, "Second Life")
		if again.ID == cust.ID {
			t.Errorf("the re-registered account reuses id %d", cust.ID)
		}
		expectError(t, c.get("/users/me", token), http.StatusUnauthorized, "unauthorized", "old token after the email registered again")
		apptest.Expect(t, c.get("/users/me", login(t, c, cust.Email, apptest.Password).AccessToken), http.StatusOK, "new account's token")
		if l := listUsers(t, c, admin, q("q", cust.Email)); l.Total != 1 || l.Items[0].ID != again.ID {
			t.Errorf("list for %s = %+v, want only the new account", cust.Email, l.Items)
		}
	})
}

func TestUserChangesLeaveOthersUntouched(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		c := newClient(t, e)
		admin := e.Admin()
		other := e.Admin()
		victim := e.Customer()
		before := decode[user](t, c.get(fmt.Sprintf("/users/%d", other.ID), admin.Token), http.StatusOK, "other admin before")

		// Changes that take admin rights away look at every admin; they must not write to them.
		apptest.Expect(t, c.patch(fmt.Sprintf("/users/%d", victim.ID), admin.Token, map[string]any{"is_active": false}), http.StatusOK, "deactivate a customer")
		apptest.Expect(t, c.patch(fmt.Sprintf("/users/%d", victim.ID), admin.Token, map[string]any{"role": "customer"}), http.StatusOK, "set a customer's role")
		apptest.Expect(t, c.del(fmt.Sprintf("/users/%d", victim.ID), admin.Token), http.StatusNoContent, "delete a customer")

		after := decode[user](t, c.get(fmt.Sprintf("/users/%d", other.ID), admin.Token), http.StatusOK, "other admin after")
		if after != before {
			t.Errorf("another admin changed from %+v to %+v by changes to a customer", before, after)
		}
	})
}

func TestLastAdminStays(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		c := newClient(t, e)
		first := e.Admin()
		self := fmt.Sprintf("/users/%d", first.ID)
		for _, body := range []map[string]any{
			{"role": "customer"},
			{"is_active": false},
			{"role": "customer", "is_active": false},
			{"full_name": "Still Me", "is_active": false},
		} {
			expectError(t, c.patch(self, first.Token, body), http.StatusConflict, "conflict", fmt.Sprintf("the only admin PATCHes itself %v", body))
		}
		expectError(t, c.del(self, first.Token), http.StatusConflict, "conflict", "the only admin deletes itself")
		me := decode[user](t, c.get("/users/me", first.Token), http.StatusOK, "the only admin is still there")
		if me.Role != "admin" || !me.IsActive || me.FullName == "Still Me" {
			t.Errorf("after refused changes the admin is %+v, want it unchanged", me)
		}
		apptest.Expect(t, c.patch(self, first.Token, map[string]any{"role": "admin", "is_active": true, "full_name": "Boss"}),
			http.StatusOK, "a change that keeps the admin an admin")

		second := e.Admin()
		got := decode[user](t, c.patch(fmt.Sprintf("/users/%d", second.ID), first.Token, map[string]any{"role": "customer"}),
			http.StatusOK, "one of two admins demotes the other")
		if got.Role != "customer" {
			t.Errorf("demoted admin is %+v, want a customer", got)
		}
		expectError(t, c.get("/users", second.Token), http.StatusUnauthorized, "unauthorized", "the demoted admin's token")
		expectError(t, c.get("/users", e.Login(second.Email).Token), http.StatusForbidden, "forbidden", "the demoted admin's new token")
		expectError(t, c.patch(self, first.Token, map[string]any{"role": "customer"}), http.StatusConflict, "conflict", "the remaining admin demotes itself")

		// An inactive admin does not count.
		third := e.Admin()
		apptest.Expect(t, c.patch(fmt.Sprintf("/users/%d", third.ID), first.Token, map[string]any{"is_active": false}), http.StatusOK, "deactivate the third admin")
		expectError(t, c.patch(self, first.Token, map[string]any{"is_active": false}), http.StatusConflict, "conflict", "deactivate the only active admin")
		expectError(t, c.del(self, first.Token), http.StatusConflict, "conflict", "delete the only active admin")
		apptest.Expect(t, c.del(fmt.Sprintf("/users/%d", third.ID), first.Token), http.StatusNoContent, "delete the inactive admin")
		if l := listUsers(t, c, first.Token, q("role", "admin", "is_active", "true")); l.Total != 1 || l.Items[0].ID != first.ID {
			t.Errorf("active admins %+v, want only %d", l.Items, first.ID)
		}
	})
}

// TestAdminsDemotingEachOtherAtOnce: two admins demote each other at the same moment. The
// guard must serialize them: exactly one wins, and one active admin remains. The loser gets
// 409 when both requests were authorized before either committed; when the winner commits
// before the loser's token is even checked, the loser is no longer an admin and gets 403.
// Either way, never two winners.
func TestAdminsDemotingEachOtherAtOnce(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		c := newClient(t, e)
		survivor := e.Admin()
		conflicts := 0
		const rounds = 10
		defer func() { t.Logf("%d of %d rounds reached the last-admin guard (409)", conflicts, rounds) }()
		for round := range rounds {
			challenger := e.Admin()
			pair := [2]apptest.User{survivor, challenger}
			var codes [2]int
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range pair {
				actor, target := pair[i], pair[1-i]
				wg.Go(func() {
					<-start
					codes[i] = e.Do(apptest.Request{Method: http.MethodPatch, Path: fmt.Sprintf("/users/%d", target.ID),
						Token: actor.Token, Body: `{"role":"customer"}`}).Code
				})
			}
			close(start)
			wg.Wait()

			winners := 0
			for i, code := range codes {
				switch code {
				case http.StatusOK:
					winners++
					survivor = pair[i]
				case http.StatusConflict:
					conflicts++
				case http.StatusForbidden, http.StatusUnauthorized: // demoted first: no longer an admin, or its session ended
				default:
					t.Errorf("round %d: admin %d answered %d, want 200, 409, 403 or 401", round, pair[i].ID, code)
				}
			}
			if winners != 1 {
				t.Fatalf("round %d: %d demotions succeeded (%v), want exactly 1", round, winners, codes)
			}
			var n int64
			if err := e.DB.Model(&models.User{}).Where("role = ? AND is_active = ?", models.RoleAdmin, true).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			l := listUsers(t, c, survivor.Token, q("role", "admin", "is_active", "true"))
			if n != 1 || l.Total != 1 || l.Items[0].ID != survivor.ID {
				t.Fatalf("round %d: %d active admins in the table, list %+v; want only the winner %d", round, n, l.Items, survivor.ID)
			}
		}
	})
}

// TestAccountChangesEndSessions: a token issued before a deactivation used to work again after
// the reactivation. Deactivation, reactivation and a role change each end every session of the
// account; a patch that changes neither (the same is_active, a new name) ends none.
func TestAccountChangesEndSessions(t *testing.T) {
	t.Parallel()
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Admin().Token
		cust := e.Customer()
		path := fmt.Sprintf("/users/%d", cust.ID)
		patch := func(body map[string]any, what string) {
			t.Helper()
			apptest.Expect(t, e.Patch(path, admin, body), http.StatusOK, what)
		}
		patch(map[string]any{"is_active": true, "full_name": "Still Me"}, "a patch that changes no access")
		apptest.Expect(t, e.Get("/users/me", cust.Token), http.StatusOK, "the token after a harmless patch")

		patch(map[string]any{"is_active": false}, "deactivate")
		apptest.Expect(t, e.Get("/users/me", cust.Token), http.StatusUnauthorized, "the token after deactivation")
		patch(map[string]any{"is_active": true}, "reactivate")
		apptest.Expect(t, e.Get("/users/me", cust.Token), http.StatusUnauthorized, "the token from before the deactivation, after reactivation")

		fresh := e.Login(cust.Email)
		patch(map[string]any{"is_active": false}, "deactivate again")
		patch(map[string]any{"is_active": true}, "reactivate again")
		apptest.Expect(t, e.Get("/users/me", fresh.Token), http.StatusUnauthorized, "a token issued while active, after deactivate+reactivate")

		fresh = e.Login(cust.Email)
		patch(map[string]any{"role": "admin"}, "promote")
		apptest.Expect(t, e.Get("/users/me", fresh.Token), http.StatusUnauthorized, "the token from before the promotion")
		promoted := e.Login(cust.Email)
		apptest.Expect(t, e.Get("/users", promoted.Token), http.StatusOK, "a new token after the promotion is an admin's")
		patch(map[string]any{"role": "customer"}, "demote")
		apptest.Expect(t, e.Get("/users/me", promoted.Token), http.StatusUnauthorized, "the admin token from before the demotion")
	})
}
