package dto

import (
	"encoding/json"
	"time"

	"tienda/models"
)

// AuditEntry is one change an admin made, as GET /audit shows it.
type AuditEntry struct {
	ID uint `json:"id" example:"12"`
	// The admin who made the change.
	ActorID uint `json:"actor_id" example:"1"`
	// The change, as entity.verb (product.update, order.status, user.update, report.request, ...).
	Action string `json:"action" example:"product.update"`
	// What was changed: product, order, user or report.
	Entity string `json:"entity" example:"product"`
	// The ID of what was changed (a report's task ID for report requests).
	EntityID string `json:"entity_id" example:"42"`
	// The entity before the change, in the API's field names; absent for a creation.
	Before json.RawMessage `json:"before,omitempty" swaggertype:"object"`
	// The entity after the change, in the API's field names; absent for a deletion.
	After     json.RawMessage `json:"after,omitempty" swaggertype:"object"`
	CreatedAt time.Time       `json:"created_at" example:"2026-12-02T11:00:00Z"`
}

// NewAuditEntry renders an audit entry.
func NewAuditEntry(e models.AuditEntry) AuditEntry {
	out := AuditEntry{
		ID: e.ID, ActorID: e.ActorID, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID,
		CreatedAt: utc(e.CreatedAt),
	}
	if e.Before != "" {
		out.Before = json.RawMessage(e.Before)
	}
	if e.After != "" {
		out.After = json.RawMessage(e.After)
	}
	return out
}
