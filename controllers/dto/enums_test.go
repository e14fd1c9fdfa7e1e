package dto

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"tienda/apperr"
)

// TestOrderStatusEnums checks that the Swagger enums of every status field name exactly the
// statuses the validation accepts, so the documentation cannot drift from the rule.
func TestOrderStatusEnums(t *testing.T) {
	want := strings.Join(OrderStatusNames(), ",")
	for _, typ := range []reflect.Type{reflect.TypeFor[Order](), reflect.TypeFor[OrderStatusRequest]()} {
		f, ok := typ.FieldByName("Status")
		if !ok {
			t.Fatalf("%s has no Status field", typ)
		}
		if got := f.Tag.Get("enums"); got != want {
			t.Errorf("%s.Status enums = %q, want %q", typ, got, want)
		}
	}
	for _, s := range OrderStatusNames() {
		if err := (&OrderStatusRequest{Status: s}).Validate(); err != nil {
			t.Errorf("status %q refused: %v", s, err)
		}
	}
	if err := (&OrderStatusRequest{Status: "lost"}).Validate(); err == nil {
		t.Error(`status "lost" accepted`)
	}
}

// TestRequiredTagsAreEnforced checks that every field whose binding tag says required (which
// only feeds the Swagger docs: nothing binds with gin's validator) is refused by the request's
// Validate when it is missing, so the docs promise only what the rules keep.
func TestRequiredTagsAreEnforced(t *testing.T) {
	for _, req := range []interface{ Validate() error }{
		&PlaceOrderRequest{}, &OrderStatusRequest{}, &ProductRequest{}, &ProductPatchRequest{},
		&SalesReportRequest{}, &RegisterRequest{}, &LoginRequest{}, &UserPatchRequest{},
	} {
		typ := reflect.TypeOf(req).Elem()
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !slices.Contains(strings.Split(f.Tag.Get("binding"), ","), "required") {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			err := req.Validate()
			ae, ok := apperr.As(err)
			if !ok || !slices.ContainsFunc(ae.Details, func(d apperr.FieldError) bool { return d.Field == name }) {
				t.Errorf("%s: a missing %s (binding:\"required\") is not refused: %v", typ.Name(), name, err)
			}
		}
	}
}
