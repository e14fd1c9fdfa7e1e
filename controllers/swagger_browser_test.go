package controllers_test

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
// server with a fresh SQLite database, it logs in through "Try it out" on POST /auth/login,
// pastes "Bearer <token>" into the Authorize dialog, then runs GET /products and POST /orders
// from the page and checks the status and body the page shows (and that the order exists). It
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
	base := e.Serve()

	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	ui := swaggerPage{t: t, ctx: ctx}

	ui.do("open Swagger UI",
		chromedp.Navigate(base+"/swagger/index.html"),
		chromedp.WaitVisible(chromedp.CSS("#operations-products-get_products")),
	)
	ui.screenshot("01-loaded")

	// Log in through the page.
	status, body := ui.execute("#operations-auth-post_auth_login",
		fmt.Sprintf(`{"email": %q, "password": %q}`, admin.Email, apptest.Password))
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if status != "200" || json.Unmarshal([]byte(body), &login) != nil || login.AccessToken == "" {
		t.Fatalf("login in the page: status %s, body %s; want 200 with an access_token", status, body)
	}
	ui.screenshot("02-logged-in")

	// Authorize with the token, as the README tells people to.
	ui.do("authorize",
		chromedp.Click(chromedp.CSS(".auth-wrapper .authorize")),
		chromedp.WaitVisible(chromedp.CSS(".dialog-ux .auth-container input")),
		chromedp.SendKeys(chromedp.CSS(".dialog-ux .auth-container input"), "Bearer "+login.AccessToken),
		chromedp.Click(chromedp.CSS(".dialog-ux .auth-btn-wrapper .authorize")),
		chromedp.WaitVisible(chromedp.CSS(".dialog-ux .auth-btn-wrapper .btn-done")),
	)
	ui.screenshot("03-authorized")
	ui.do("close the dialog",
		chromedp.Click(chromedp.CSS(".dialog-ux .auth-btn-wrapper .btn-done")),
		chromedp.WaitNotPresent(chromedp.CSS(".dialog-ux")),
	)

	status, body = ui.execute("#operations-products-get_products", "")
	if status != "200" || !strings.Contains(body, `"sku": "UI-MUG-1"`) {
		t.Errorf("GET /products in the page: status %s, body %s; want 200 listing UI-MUG-1", status, body)
	}
	ui.screenshot("04-products")

	status, body = ui.execute("#operations-orders-post_orders",
		fmt.Sprintf(`{"items": [{"product_id": %d, "quantity": 2}]}`, p.ID))
	ui.screenshot("05-order")
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
	ctx, cancel := context.WithTimeout(bctx, time.Minute)
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

// execute opens the operation op (its element id), clicks "Try it out", types body into the
// request body field when body is not empty, clicks Execute, and returns the status and the
// response body the page shows.
func (p *swaggerPage) execute(op, body string) (status, shown string) {
	p.t.Helper()
	p.do("open "+op,
		chromedp.Click(chromedp.CSS(op+" .opblock-summary")),
		chromedp.Click(chromedp.CSS(op+" .try-out__btn")),
	)
	if body != "" {
		field := op + " textarea.body-param__text"
		p.do("type the body of "+op,
			chromedp.WaitVisible(chromedp.CSS(field)),
			// Select the example so that the typed keys replace it.
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).select()`, field)),
			chromedp.SendKeys(chromedp.CSS(field), body),
		)
	}
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
