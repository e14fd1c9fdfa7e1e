package services

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"tienda/listing"
	"tienda/models"
	"tienda/repositories"
)

type actorKey struct{}

// WithActor returns ctx carrying who makes the request: the HTTP layers (the API's middleware,
// the console) carry the actor from authentication to the handler with it. The services never
// read it: every state-changing method takes the actor as an argument.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor ctx carries; the zero Actor (nobody: the CLI, a task) otherwise.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// Audit reads the audit log.
type Audit struct {
	store *repositories.Store
}

// NewAudit returns the audit log service.
func NewAudit(store *repositories.Store) *Audit { return &Audit{store: store} }

// AuditQuery selects a page of the audit log.
type AuditQuery struct {
	Filter listing.AuditFilter
	List   listing.Options
}

// List returns a page of the audit log.
func (s *Audit) List(ctx context.Context, q AuditQuery) (Page[models.AuditEntry], error) {
	items, total, err := s.store.Audit.Search(ctx, q.Filter, q.List)
	if err != nil {
		return Page[models.AuditEntry]{}, err
	}
	return newPage(items, total, q.List), nil
}

// Audited actions, as "entity.verb".
const (
	AuditProductCreate = "product.create"
	AuditProductUpdate = "product.update"
	AuditProductDelete = "product.delete"
	AuditProductStock  = "product.stock"
	AuditOrderStatus   = "order.status"
	AuditOrderCancel   = "order.cancel"
	AuditUserUpdate    = "user.update"
	AuditUserDelete    = "user.delete"
	AuditReportRequest = "report.request"
)

// AuditActions and AuditEntities are every action and entity the log records.
var (
	AuditActions = []string{
		AuditProductCreate, AuditProductUpdate, AuditProductDelete, AuditProductStock,
		AuditOrderStatus, AuditOrderCancel, AuditUserUpdate, AuditUserDelete, AuditReportRequest, AuditJobRequeue,
	}
	AuditEntities = []string{"product", "order", "user", "report", "job"}
)

// audit records in tx, the change's own transaction, that actor did action to entity id, with the
// entity before and after (nil when it did not exist). Changes made by the system (the CLI, a
// task) or by a customer are not admin changes and are not recorded.
func audit(ctx context.Context, tx *repositories.Store, actor Actor, action string, id any, before, after map[string]any) error {
	if !actor.IsAdmin() {
		return nil
	}
	entity, _, _ := strings.Cut(action, ".")
	e := models.AuditEntry{ActorID: actor.UserID, Action: action, Entity: entity, EntityID: fmt.Sprint(id)}
	var err error
	if e.Before, err = document(before); err != nil {
		return err
	}
	if e.After, err = document(after); err != nil {
		return err
	}
	return tx.Audit.Create(ctx, &e)
}

func document(v map[string]any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// The audit log's views of the entities: the API's field names, never a secret.

func productAudit(p models.Product) map[string]any {
	return map[string]any{
		"id": p.ID, "sku": p.SKU, "name": p.Name, "description": p.Description,
		"price_cents": p.PriceCents, "stock": p.Stock, "is_active": p.IsActive,
	}
}

func userAudit(u models.User) map[string]any {
	return map[string]any{"id": u.ID, "email": u.Email, "full_name": u.FullName, "role": u.Role, "is_active": u.IsActive}
}

func orderAudit(o models.Order) map[string]any {
	return map[string]any{"id": o.ID, "user_id": o.UserID, "status": o.Status, "total_cents": o.TotalCents}
}
