package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"
)

//go:embed templates
var templateFS embed.FS

// Templates renders each email as plain text and as HTML; the HTML templates escape every
// value, so a product named "<script>" arrives as text.
type Templates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// LoadTemplates parses the embedded templates.
func LoadTemplates() (*Templates, error) {
	text, err := texttemplate.ParseFS(templateFS, "templates/*.txt")
	if err != nil {
		return nil, err
	}
	html, err := htmltemplate.ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &Templates{text: text, html: html}, nil
}

// Render fills the email's bodies from the templates called name.txt and name.html.
func (t *Templates) Render(name string, data any, e *Email) error {
	var text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&text, name+".txt", data); err != nil {
		return err
	}
	if err := t.html.ExecuteTemplate(&html, name+".html", data); err != nil {
		return err
	}
	e.Text, e.HTML = text.String(), html.String()
	return nil
}

// Money renders cents as units with two decimals: 129900 → "1299.00".
func Money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}
