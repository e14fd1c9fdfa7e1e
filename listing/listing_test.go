package listing

import "testing"

func TestOptionsOffset(t *testing.T) {
	for _, c := range []struct{ page, size, want int }{{1, 20, 0}, {2, 20, 20}, {3, 7, 14}} {
		if got := (Options{Page: c.page, PageSize: c.size}).Offset(); got != c.want {
			t.Errorf("page %d of %d: offset %d, want %d", c.page, c.size, got, c.want)
		}
	}
}

func TestFieldsHas(t *testing.T) {
	if !ProductSorts.Has("price_cents") || ProductSorts.Has("password_hash") || UserSorts.Has("") {
		t.Fatal("Fields.Has answers wrongly")
	}
}
