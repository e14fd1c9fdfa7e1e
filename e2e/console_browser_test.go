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
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/config"
	"tienda/tasks"
)

// consoleShots keeps the console browser test's screenshots as CI artifacts (gitignored).
const consoleShots = "../.artifacts/console"

// axeScript is axe-core, installed from npm by `npm ci` in console/testdata/axe (.ci/run).
const axeScript = "../console/testdata/axe/node_modules/axe-core/axe.min.js"

// TestConsoleInBrowser drives the /admin console in headless Chromium as a shop owner would: signs
// in, creates a product, sees an order placed through the API appear, moves it to shipped, runs
// a sales report and watches it finish; every page it visits is checked by axe-core (no
// violation of serious or critical impact) and saved as a screenshot under .artifacts/console/.
// The report's CSV is downloaded by the page's own link, with the browser's cookie session.
func TestConsoleInBrowser(t *testing.T) {
	for _, need := range []string{chromiumPath, axeScript} {
		if _, err := os.Stat(need); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing: CI runs the console browser test (.ci/run installs chromium and runs npm ci in console/testdata/axe)", need)
			}
			t.Skipf("%s is missing: %v", need, err)
		}
	}
	axe, err := os.ReadFile(axeScript)
	if err != nil {
		t.Fatal(err)
	}
	browserLock(t)
	tasks.RouteMachineryLogs(slog.New(slog.DiscardHandler))
	// Development: the cookie is not Secure, as for `go run . serve` on http://localhost.
	e := apptest.New(t, dbtest.Engines()[0], apptest.WithConfig(func(c *config.Config) { c.App.Env = config.EnvDevelopment }))
	admin, ana := e.Admin(), e.Customer()
	base := e.Serve()
	if err := os.RemoveAll(consoleShots); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(consoleShots, 0o755); err != nil {
		t.Fatal(err)
	}
	c := consolePage{t: t, ctx: browserFor(t, 3*time.Minute), axe: string(axe)}

	c.do("sign in",
		chromedp.Navigate(base+"/admin/"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
	)
	c.check("01-sign-in")
	c.do("sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), admin.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
		chromedp.Click(chromedp.CSS("form.stack button")),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")),
	)
	c.check("02-dashboard")

	c.do("create a product",
		chromedp.Navigate(base+"/admin/products/new"),
		chromedp.WaitVisible(chromedp.CSS("#sku")),
		chromedp.SendKeys(chromedp.CSS("#sku"), "UI-MUG-1"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Browser mug"),
		chromedp.SendKeys(chromedp.CSS("#price_cents"), "1250"),
		chromedp.SendKeys(chromedp.CSS("#stock"), "10"),
		chromedp.Click(chromedp.CSS("form.stack button")),
		chromedp.WaitVisible(chromedp.CSS("#delta")),
	)
	c.expectText("Product UI-MUG-1 created.")
	c.check("03-product")
	c.do("products", chromedp.Navigate(base+"/admin/products"), chromedp.WaitVisible(chromedp.CSS("table")))
	c.check("04-products")

	var p, o struct {
		ID uint `json:"id"`
	}
	apptest.Expect(t, e.Get("/products?q=UI-MUG-1", ""), http.StatusOK, "the product in the API")
	var list struct {
		Items []json.RawMessage `json:"items"`
	}
	apptest.Expect(t, e.Get("/products?q=UI-MUG-1", ""), http.StatusOK, "list").Decode(t, &list)
	if len(list.Items) != 1 || json.Unmarshal(list.Items[0], &p) != nil {
		t.Fatalf("the API lists %d products UI-MUG-1, want 1", len(list.Items))
	}
	apptest.Expect(t, e.Post("/orders", ana.Token, map[string]any{"items": []map[string]any{{"product_id": p.ID, "quantity": 2}}}),
		http.StatusCreated, "place an order through the API").Decode(t, &o)

	c.do("the order appears", chromedp.Navigate(base+"/admin/orders"), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`a[href="/admin/orders/%d"]`, o.ID))))
	c.check("05-orders")
	c.do("open the order", chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/admin/orders/%d"]`, o.ID))), chromedp.WaitVisible(chromedp.CSS(".actions")))
	c.check("06-order")
	c.do("mark it paid", chromedp.Click(chromedp.CSS(`input[value="paid"] + button`)), chromedp.WaitReady(chromedp.CSS(`input[value="shipped"]`)))
	c.do("mark it shipped", chromedp.Click(chromedp.CSS(`input[value="shipped"] + button`)), chromedp.WaitReady(chromedp.CSS(`input[value="delivered"]`)))
	c.expectText("is now shipped.")
	c.check("07-order-shipped")

	c.do("start a report",
		chromedp.Navigate(base+"/admin/reports"),
		chromedp.WaitVisible(chromedp.CSS("#from")),
	)
	c.check("08-report-form")
	c.do("run it", chromedp.Click(chromedp.CSS("form.stack button")), chromedp.WaitVisible(chromedp.CSS("#report-state")))
	// The page's script reloads it once the report is done: poll through the reload.
	c.waitFor(`document.querySelector("#report-state strong")?.textContent === "SUCCESS" && document.readyState === "complete"`, 30*time.Second)
	c.expectText("25.00")
	c.expectText("Download the CSV")
	c.check("09-report")
	c.downloadCSV("total,1,2,2500\n") // the order above: 2 × 12.50

	c.do("the dashboard with the order", chromedp.Navigate(base+"/admin/"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	c.expectText("25.00")
	c.check("10-dashboard") // docs/console-dashboard.png is this screenshot
	for _, pg := range []string{"users", "jobs", "audit"} {
		c.do("open "+pg, chromedp.Navigate(base+"/admin/"+pg), chromedp.WaitVisible(chromedp.CSS("h1")))
		c.check("10-" + pg)
	}
	c.do("phone width", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/admin/"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	c.check("11-dashboard-phone")
}

// browserLock keeps browser tests of concurrent runs on this machine from running at once.
func browserLock(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "tienda-browser-tests.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
}

// consolePage drives the console in one test.
type consolePage struct {
	t   *testing.T
	ctx context.Context
	axe string
}

func (p *consolePage) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.shot("failed")
		p.t.Fatalf("%s: %v", what, err)
	}
}

// expectText fails unless the page shows text.
func (p *consolePage) expectText(text string) {
	p.t.Helper()
	body, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil || !strings.Contains(body, text) {
		p.shot("failed")
		p.t.Fatalf("the page does not show %q (%v):\n%s", text, err, body)
	}
}

// check runs axe-core on the page and saves a screenshot as name.png: a violation of serious
// or critical impact fails the test.
func (p *consolePage) check(name string) {
	p.t.Helper()
	p.shot(name)
	// The page's CSP allows only its own scripts, but DevTools' evaluation is not subject to it.
	run := p.axe + `; axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify({
		rules: r.passes.length + r.violations.length + r.incomplete.length,
		serious: r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))}))`
	out, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("axe on %s: %v", name, err)
	}
	var res struct {
		Rules   int
		Serious []json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Rules == 0 {
		p.t.Fatalf("axe on %s: no rules ran (%v): %s", name, err, out)
	}
	if len(res.Serious) > 0 {
		p.t.Errorf("axe on %s: serious or critical violations: %s", name, res.Serious)
	}
}

func (p *consolePage) shot(name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(consoleShots, name+".png"), png, 0o644); err != nil {
		p.t.Errorf("save screenshot: %v", err)
	}
}

// downloadCSV follows the page's download link in the browser (with its cookie session) and
// checks the answer: 200, text/csv, an attachment with a .csv file name, the CSV header, and
// the total line want.
func (p *consolePage) downloadCSV(want string) {
	p.t.Helper()
	out, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(async () => {
		const a = document.querySelector("a[download]");
		if (!a) return JSON.stringify({error: "no download link"});
		const r = await fetch(a.href);
		return JSON.stringify({status: r.status, type: r.headers.get("content-type"),
			disposition: r.headers.get("content-disposition"), body: await r.text()});
	})()`, chromedp.EvalAwaitPromise))
	var got struct {
		Error, Type, Disposition, Body string
		Status                         int
	}
	if err == nil {
		err = json.Unmarshal([]byte(out), &got)
	}
	switch {
	case err != nil || got.Error != "":
		p.t.Fatalf("download the CSV: %v %s", err, got.Error)
	case got.Status != 200 || got.Type != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(got.Disposition, "attachment;") || !strings.Contains(got.Disposition, ".csv"):
		p.t.Errorf("CSV download: %d %q %q", got.Status, got.Type, got.Disposition)
	case !strings.HasPrefix(got.Body, "day,orders,items,revenue_cents\n") || !strings.HasSuffix(got.Body, want):
		p.t.Errorf("CSV body does not end with %q:\n%s", want, got.Body)
	}
}

// waitFor polls the JavaScript condition until it holds, through page reloads, for up to limit.
func (p *consolePage) waitFor(cond string, limit time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.shot("failed")
			p.t.Fatalf("%s did not hold within %s (last error: %v)", cond, limit, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
