package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"tienda/apptest"
	"tienda/apptest/dbtest"
	"tienda/services"
)

// TestREADMEWalkthrough runs the shell commands of the README's "Trying the API" walkthrough
// against a live server on a fresh SQLite database, so that they cannot go stale: the
// create-admin line is done through the app with the same email and password, `go run . serve`
// is the test's server, and every curl (with -f, so an HTTP error fails) runs with bash against
// it instead of localhost:8080.
func TestREADMEWalkthrough(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("curl is missing: %v", err)
		}
		t.Skipf("curl is missing: %v", err)
	}
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)<!-- walkthrough: begin -->\\s*```sh\\n(.*?)```\\s*<!-- walkthrough: end -->").FindSubmatch(raw)
	if block == nil {
		t.Fatal("README.md has no walkthrough block between <!-- walkthrough: begin/end --> markers")
	}
	script := string(block[1])
	admin := regexp.MustCompile(`(?m)^go run \. create-admin --email (\S+) --password '([^']+)'\n`).FindStringSubmatch(script)
	if admin == nil {
		t.Fatal("the walkthrough does not start with go run . create-admin --email E --password 'P'")
	}
	script = strings.Replace(script, admin[0], "", 1)
	if !strings.Contains(script, "go run . serve &\n") {
		t.Fatal("the walkthrough does not start the server with go run . serve &")
	}
	script = strings.Replace(script, "go run . serve &\n", "", 1)
	if strings.Contains(script, "go run") {
		t.Fatalf("the walkthrough runs go commands the test does not know: %s", script)
	}
	for _, path := range regexp.MustCompile(`localhost:8080(/\S*)`).FindAllStringSubmatch(script, -1) {
		if !strings.HasPrefix(path[1], "/api/v1/") {
			t.Errorf("walkthrough path %s is not under /api/v1", path[1])
		}
	}

	e := apptest.New(t, dbtest.Engines()[0]) // SQLite
	if _, err := e.App.Users.EnsureAdmin(t.Context(), services.System("test"), admin[1], admin[2], "Admin"); err != nil {
		t.Fatalf("create-admin %s: %v", admin[1], err)
	}
	base := e.Serve()
	script = strings.ReplaceAll(script, "localhost:8080", strings.TrimPrefix(base, "http://"))
	cmd := exec.CommandContext(t.Context(), "bash", "-euo", "pipefail", "-c", script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the walkthrough failed: %v\n%s", err, out)
	}
	for _, want := range []string{`"sku":"MUG-001"`, `"total_cents":2598`, `"total":1`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the walkthrough's output lacks %s:\n%s", want, out)
		}
	}
}
