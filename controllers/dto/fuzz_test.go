package dto

// Native fuzz targets (issue "Hardening", part 2) for the header and path checks of dto; the
// request bodies are fuzzed through the controllers' JSON binding in controllers/fuzz_test.go.
// The seed corpus runs as ordinary tests; to fuzz one:
//
//	go test ./controllers/dto -run '^$' -fuzz '^FuzzCheckIdempotencyKey$' -fuzztime 30s

import (
	"net/http"
	"strings"
	"testing"

	"tienda/apperr"
)

// checkRefusal fails unless err is a 400 bad_request naming field.
func checkRefusal(t *testing.T, input string, err error, field string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Code != apperr.CodeBadRequest || ae.HTTPStatus() != http.StatusBadRequest {
		t.Fatalf("%q: refused with %v, want a 400 bad_request", input, err)
	}
	if len(ae.Details) != 1 || ae.Details[0].Field != field || ae.Details[0].Message == "" {
		t.Fatalf("%q: details %+v, want one naming %s", input, ae.Details, field)
	}
}

// FuzzCheckIdempotencyKey: a key is accepted exactly when it is at most 128 printable ASCII
// characters (absent, "", is accepted), so that every accepted key fits the 128-character
// column on every engine and is one byte per character; anything else is a 400 naming the
// header.
func FuzzCheckIdempotencyKey(f *testing.F) {
	for _, s := range []string{
		"", "k", "key-1", strings.Repeat("k", 128), strings.Repeat("k", 129), " ", "~", "a b", "tab\there",
		"nul\x00", "\x7f", "\x1f", "ünï", "😀", "\xff", "new\nline", "550e8400-e29b-41d4-a716-446655440000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := CheckIdempotencyKey(key)
		want := len(key) <= MaxIdempotencyKey
		for i := range len(key) {
			want = want && key[i] >= 0x20 && key[i] < 0x7f
		}
		switch {
		case want && err != nil:
			t.Fatalf("%q: refused (%v), want accepted", key, err)
		case !want && err == nil:
			t.Fatalf("%q (%d bytes): accepted, want refused", key, len(key))
		case err != nil:
			checkRefusal(t, key, err, "Idempotency-Key")
		}
	})
}

// FuzzCheckTaskID: task IDs are accepted only as tienda makes them (36 characters of hex and
// dashes), so nothing else reaches the task backend's key space.
func FuzzCheckTaskID(f *testing.F) {
	for _, s := range []string{
		"9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d44", "9F1C2B1E-6A7D-4F0E-8A59-3C1F7E0B2D44", "", "x",
		"9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d4", "9f1c2b1e-6a7d-4f0e-8a59-3c1f7e0b2d44 ", "../../../../etc/passwd00000000000000",
		"*", "tienda:*", strings.Repeat("-", 36), "9f1c2b1e_6a7d_4f0e_8a59_3c1f7e0b2d44",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		err := CheckTaskID(id)
		want := len(id) == 36 && strings.Trim(id, "0123456789abcdefABCDEF-") == ""
		switch {
		case want != (err == nil):
			t.Fatalf("%q: CheckTaskID = %v, want accepted = %v", id, err, want)
		case err != nil:
			checkRefusal(t, id, err, "task_id")
		}
	})
}
