// Package services holds tienda's business rules: who may see or change what, what makes a
// request conflict with the current state, and which changes happen together in a transaction.
// Services return apperr errors with the contract's codes; they know nothing of HTTP or SQL.
package services

import (
	"errors"

	"tienda/apperr"
	"tienda/listing"
	"tienda/models"
	"tienda/repositories"
)

// Actor is who makes a request: a user with a role, or nobody (the zero value).
type Actor struct {
	UserID uint
	Role   models.Role
	Email  string
}

// System is the actor of a change nobody made through the API or the console: the command
// line, the seed, housekeeping. It is not an admin (its changes are not admin changes and are
// not audited); name says which part of the system acts, for logs.
func System(name string) Actor { return Actor{Email: "system:" + name} }

// IsAdmin reports whether the actor is an administrator.
func (a Actor) IsAdmin() bool { return a.Role == models.RoleAdmin }

// Authenticated reports whether the actor is a logged-in user.
func (a Actor) Authenticated() bool { return a.UserID != 0 }

// Page is one page of a list and the size of the whole list.
type Page[T any] struct {
	Items    []T
	Total    int64
	Page     int
	PageSize int
}

func newPage[T any](items []T, total int64, opts listing.Options) Page[T] {
	return Page[T]{Items: items, Total: total, Page: opts.Page, PageSize: opts.PageSize}
}

// notFound turns the repositories' ErrNotFound into the contract's not_found for what.
func notFound(err error, what string) error {
	if errors.Is(err, repositories.ErrNotFound) {
		return apperr.NotFound(what)
	}
	return err
}
