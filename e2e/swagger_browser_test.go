package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/models"
	"tienda/tasks"
)

// chromiumPath is where Debian's chromium package puts the browser; .ci/run installs it.
const chromiumPath = "/usr/bin/chromium"

// screenshotDir keeps the browser test's screenshots as CI artifacts (gitignored).
const screenshotDir = "../.artifacts/swagger-ui"

// TestSwaggerUIInBrowser drives Swagger UI in headless Chromium as a person would: on a real
// server with a fresh SQLite database, it authorizes with email and password in the Authorize
// dialog's OAuth2 form (POST /auth/token) and reads GET /users/me; logs out, logs in through "Try
// it out" on POST /auth/login and pastes the bare token into the dialog's bearer field; then runs
// GET /products, and POST /orders with the example the page shows, and checks the status and body
// the page shows (and that the order exists). It
// saves a screenshot of each step under .artifacts/swagger-ui/. Without /usr/bin/chromium it
// skips, except under CI=true, where it fails.
func TestSwaggerUIInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: CI runs the Swagger UI browser test (.ci/run installs chromium)", chromiumPath)
		}
		t.Skipf("%s is missing (apt-get install -y chromium): %v", chromiumPath, err)
	}
	tasks.RouteMachineryLogs(slog.New(slog.DiscardHandler)) // serve runs the in-process worker
	e := apptest.New(t, dbtest.Engines()[0])                // SQLite
	admin := e.Admin()
	var p product
	apptest.Expect(t, e.Post("/products", admin.Token, map[string]any{
		"sku": "UI-MUG-1", "name": "Browser mug", "price_cents": 1250, "stock": 10,
	}), http.StatusCreated, "create product").Decode(t, &p)
	if p.ID != 1 {
		t.Fatalf("the product has ID %d; the POST /orders example names product 1", p.ID)
	}
	base := e.Serve()

	// Only this run's screenshots: an old one of a step that no longer exists would mislead.
	if err := os.RemoveAll(screenshotDir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	ui := swaggerPage{t: t, ctx: ctx}

	ui.do("open Swagger UI",
		chromedp.Navigate(base+"/swagger/index.html"),
		chromedp.WaitVisible(chromedp.CSS("#operations-products-listProducts")),
	)
	ui.screenshot("01-loaded")

	// Authorize by email and password: the OAuth2 password flow, against POST /auth/token.
	ui.openAuthorize()
	ui.do("log in with the OAuth2 form",
		chromedp.SendKeys(chromedp.CSS("#oauth_username"), admin.Email),
		chromedp.SendKeys(chromedp.CSS("#oauth_password"), apptest.Password),
		chromedp.Evaluate[chromedp.Void](oauthButton("Authorize")+".click()"),
		authorized(".dialog-ux .auth-container:nth-child(2)"),
	)
	ui.screenshot("02-authorized-oauth2")
	ui.closeAuthorize()
	status, body := ui.execute("#operations-users-getMe", false)
	if status != "200" || !strings.Contains(body, admin.Email) {
		t.Fatalf("GET /users/me after the OAuth2 login: status %s, body %s; want 200 with %s", status, body, admin.Email)
	}
	ui.screenshot("03-me-by-oauth2")
	ui.openAuthorize()
	ui.do("log out of OAuth2",
		chromedp.Evaluate[chromedp.Void](oauthButton("Logout")+".click()"),
		chromedp.WaitVisible(chromedp.CSS("#oauth_username")),
	)
	ui.closeAuthorize()

	// Log in through the page, then Authorize with the bare token, as the README tells people to.
	status, body = ui.executeWith("#operations-auth-login",
		fmt.Sprintf(`{"email": %q, "password": %q}`, admin.Email, apptest.Password))
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if status != "200" || json.Unmarshal([]byte(body), &login) != nil || login.AccessToken == "" {
		t.Fatalf("login in the page: status %s, body %s; want 200 with an access_token", status, body)
	}
	ui.screenshot("04-logged-in")
	ui.openAuthorize()
	ui.do("authorize with the bare token",
		chromedp.SendKeys(chromedp.CSS(".dialog-ux .auth-container form input"), login.AccessToken),
		chromedp.Click(chromedp.CSS(".dialog-ux .auth-container form .authorize")),
		authorized(".dialog-ux .auth-container form"),
	)
	ui.screenshot("05-authorized-bearer")
	ui.closeAuthorize()

	status, body = ui.execute("#operations-products-listProducts", false)
	if status != "200" || !strings.Contains(body, `"sku": "UI-MUG-1"`) {
		t.Errorf("GET /products in the page: status %s, body %s; want 200 listing UI-MUG-1", status, body)
	}
	ui.screenshot("06-products")

	// POST /orders with the example the page shows, untouched: product 1, quantity 2.
	status, body = ui.execute("#operations-orders-placeOrder", true)
	ui.screenshot("07-order")
	if status != "201" || !strings.Contains(body, `"sku": "UI-MUG-1"`) || !strings.Contains(body, `"total_cents": 2500`) {
		t.Fatalf("POST /orders in the page: status %s, body %s; want 201 with UI-MUG-1 and total 2500", status, body)
	}
	var orders int64
	e.DB.Model(&models.Order{}).Where("user_id = ? AND total_cents = ?", admin.ID, 2500).Count(&orders)
	if orders != 1 {
		t.Errorf("%d orders of the admin for 2500 cents in the database, want the one placed from the page", orders)
	}
}

// browser starts headless Chromium with a fresh profile, closed when the test ends; every step
// of the test must finish within a minute.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, time.Minute)
}

// browserFor is browser with the whole test's steps bounded by limit.
func browserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	ctx, cancel := context.WithTimeout(bctx, limit)
	t.Cleanup(func() {
		cancel()
		bcancel()
		acancel()
	})
	return ctx
}

// swaggerPage drives the Swagger UI page of one test.
type swaggerPage struct {
	t   *testing.T
	ctx context.Context
}

func (p *swaggerPage) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.screenshot("failed")
		p.t.Fatalf("%s: %v", what, err)
	}
}

// authorized waits until the part of the Authorize dialog at selector says "Authorized".
func authorized(selector string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](fmt.Sprintf(`[...document.querySelectorAll(%q)].some(h => h.textContent.trim() === "Authorized")`, selector+" h6"))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, t)
		return chromedp.Void{}, err
	}
}

// oauthButton is a JavaScript expression for the button labelled label in the OAuth2 part of
// the Authorize dialog.
func oauthButton(label string) string {
	return fmt.Sprintf(`[...document.querySelector(".dialog-ux .auth-container:nth-child(2)").querySelectorAll("button")].find(b => b.textContent.trim() === %q)`, label)
}

func (p *swaggerPage) openAuthorize() {
	p.t.Helper()
	p.do("open the Authorize dialog",
		chromedp.Click(chromedp.CSS(".auth-wrapper .authorize")),
		chromedp.WaitVisible(chromedp.CSS(".dialog-ux .auth-container")),
	)
}

func (p *swaggerPage) closeAuthorize() {
	p.t.Helper()
	p.do("close the Authorize dialog",
		chromedp.Click(chromedp.CSS(".dialog-ux .close-modal")),
		chromedp.WaitNotPresent(chromedp.CSS(".dialog-ux")),
	)
}

// execute opens the operation op (its element id), clicks "Try it out" and Execute, and returns
// the status and the response body the page shows. With body, the request body field must show
// an example, which is sent as it is.
func (p *swaggerPage) execute(op string, body bool) (status, shown string) {
	p.t.Helper()
	p.open(op)
	if body {
		p.do("see the example body of "+op, chromedp.WaitVisible(chromedp.CSS(op+" textarea.body-param__text")))
	}
	return p.run(op)
}

// executeWith is execute with body typed into the request body field instead of the example.
func (p *swaggerPage) executeWith(op, body string) (status, shown string) {
	p.t.Helper()
	p.open(op)
	field := op + " textarea.body-param__text"
	p.do("type the body of "+op,
		chromedp.WaitVisible(chromedp.CSS(field)),
		// Select the example so that the typed keys replace it.
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).select()`, field)),
		chromedp.SendKeys(chromedp.CSS(field), body),
	)
	return p.run(op)
}

func (p *swaggerPage) open(op string) {
	p.t.Helper()
	p.do("open "+op,
		chromedp.Click(chromedp.CSS(op+" .opblock-summary")),
		chromedp.Click(chromedp.CSS(op+" .try-out__btn")),
	)
}

func (p *swaggerPage) run(op string) (status, shown string) {
	p.t.Helper()
	p.do("execute "+op,
		chromedp.Click(chromedp.CSS(op+" .execute")),
		chromedp.WaitVisible(chromedp.CSS(op+" .live-responses-table .response-col_status")),
		chromedp.ScrollIntoView(chromedp.CSS(op+" .live-responses-table")),
	)
	shownJSON, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`(() => {
		const table = document.querySelector(%q);
		const body = table.querySelector("tbody .response-col_description pre");
		return [table.querySelector("tbody .response-col_status").textContent.trim(), body ? body.textContent : ""];
	})()`, op+" .live-responses-table")))
	if err != nil || len(shownJSON) != 2 {
		p.t.Fatalf("read the response of %s: %v %v", op, shownJSON, err)
	}
	return shownJSON[0], shownJSON[1]
}

// screenshot saves what the window shows (the last response is scrolled into view) as
// name.png under screenshotDir.
func (p *swaggerPage) screenshot(name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(screenshotDir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Errorf("save screenshot: %v", err)
	}
}
