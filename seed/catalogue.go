package seed

import (
	"fmt"
	"strings"

	"tienda/services"
)

// The catalogue is a deterministic function of the product's number, so that DEMO-0007 is the
// same product on every run and every machine.
var (
	styles = []string{"Classic", "Everyday", "Nordic", "Vintage", "Urban", "Coastal", "Alpine", "Studio", "Heritage", "Minimal", "Rustic", "Weekend"}
	items  = []struct {
		name       string
		priceCents int64
		materials  []string
	}{
		{"T-Shirt", 1900, []string{"Cotton", "Linen", "Organic Cotton"}},
		{"Tote Bag", 2400, []string{"Canvas", "Jute", "Leather"}},
		{"Coffee Mug", 1450, []string{"Ceramic", "Stoneware", "Enamel"}},
		{"Throw Blanket", 6900, []string{"Wool", "Cotton", "Cashmere Blend"}},
		{"Notebook", 1200, []string{"Recycled Paper", "Leather-Bound", "Linen-Bound"}},
		{"Water Bottle", 2200, []string{"Steel", "Glass", "Copper"}},
		{"Desk Lamp", 5400, []string{"Brass", "Oak", "Aluminium"}},
		{"Serving Bowl", 3200, []string{"Ceramic", "Olive Wood", "Glass"}},
		{"Backpack", 8900, []string{"Canvas", "Leather", "Waxed Cotton"}},
		{"Scarf", 3500, []string{"Wool", "Silk", "Merino"}},
		{"Cutting Board", 4100, []string{"Walnut", "Oak", "Bamboo"}},
		{"Candle", 1800, []string{"Soy Wax", "Beeswax", "Cedar-Scented"}},
		{"Wall Clock", 4700, []string{"Oak", "Brass", "Concrete"}},
		{"Cushion Cover", 2600, []string{"Linen", "Velvet", "Cotton"}},
		{"Wallet", 3900, []string{"Leather", "Canvas", "Cork"}},
		{"Plant Pot", 2100, []string{"Terracotta", "Ceramic", "Concrete"}},
	}
)

// Product returns demo product number i (1-based): SKU DEMO-0001 and so on, a name such as
// "Nordic Merino Scarf", a price near the item's usual one and some stock. Names repeat only
// past the 576th product, which then gets an edition number.
func Product(i int) services.ProductInput {
	n := i - 1
	perRound := len(items) * len(styles)
	round := n / perRound
	item := items[n%len(items)]
	style := styles[(n/len(items))%len(styles)]
	material := item.materials[(n/len(items)+round)%len(item.materials)]
	name := fmt.Sprintf("%s %s %s", style, material, item.name)
	if edition := round / len(item.materials); edition > 0 {
		name = fmt.Sprintf("%s, Edition %d", name, edition+1)
	}
	// Prices vary from -30% to +30% around the item's and end in .99, .50 or .95 like a shop's.
	price := item.priceCents * int64(70+(n*37)%61) / 100
	price = price/100*100 + []int64{99, 50, 95}[n%3]
	return services.ProductInput{
		SKU:  fmt.Sprintf("%s%04d", SKUPrefix, i),
		Name: name,
		Description: fmt.Sprintf("%s %s from our %s line. Demo product made by `tienda seed`.",
			material, strings.ToLower(item.name), style),
		PriceCents: price,
		Stock:      int64(5 + (n*53)%120),
		IsActive:   true,
	}
}
