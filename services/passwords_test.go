package services_test

import (
	"strings"
	"testing"

	"tienda/apperr"
	"tienda/services"
)

func TestPasswordsPast72BytesAreRefusedNotCut(t *testing.T) {
	p, err := services.NewPasswords(4)
	if err != nil {
		t.Fatal(err)
	}
	pw72 := strings.Repeat("k", 72)
	hash, err := p.Hash(pw72)
	if err != nil {
		t.Fatalf("hash a 72-byte password: %v", err)
	}
	if !p.Match(hash, pw72) {
		t.Error("the 72-byte password does not match its own hash")
	}
	if p.Match(hash, pw72+"x") {
		t.Error("the 72-byte password plus a suffix matches: bcrypt's cut is not guarded")
	}
	_, err = p.Hash(pw72 + "x")
	if ae, ok := apperr.As(err); !ok || ae.Code != apperr.CodeValidation || len(ae.Details) != 1 || !strings.Contains(ae.Details[0].Message, "72") {
		t.Errorf("hash a 73-byte password: %v, want a validation_error naming the 72-byte limit", err)
	}
}
