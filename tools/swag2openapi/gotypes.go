package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
)

// goField is what the rules need to know of one JSON field of a Go struct.
type goField struct {
	// Optional: a pointer, or omitempty; the server may leave it out.
	Optional bool
	// Time: a time.Time, sent as RFC 3339.
	Time bool
}

// goTypes maps "package.Type" (swag's schema names) to the type's JSON fields by name.
type goTypes map[string]map[string]goField

// loadGoTypes reads every struct type of the module under root (tools/, docs/ and tests aside).
func loadGoTypes(root string) (goTypes, error) {
	types := goTypes{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "tools", "docs", "node_modules", "testdata", ".git", ".artifacts":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				types[f.Name.Name+"."+ts.Name.Name] = structFields(st)
			}
		}
		return nil
	})
	return types, err
}

func structFields(st *ast.StructType) map[string]goField {
	fields := map[string]goField{}
	for _, fld := range st.Fields.List {
		if fld.Tag == nil || len(fld.Names) == 0 {
			continue
		}
		tag := reflect.StructTag(strings.Trim(fld.Tag.Value, "`")).Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		_, ptr := fld.Type.(*ast.StarExpr)
		fields[name] = goField{
			Optional: ptr || strings.Contains(opts, "omitempty"),
			Time:     isTime(fld.Type),
		}
	}
	return fields
}

func isTime(e ast.Expr) bool {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "time" && sel.Sel.Name == "Time"
}
