// Package models holds the GORM models: the shape of tienda's rows as the application reads
// and writes them today. Schema changes are made by migrations, never from these types, and
// these types are never bound from or rendered to JSON directly.
package models

import (
	"slices"
	"time"

	"gorm.io/plugin/soft_delete"
)

// Role is a user's role; the database column holds the same words.
type Role string

// Roles a user can have.
const (
	RoleAdmin    Role = "admin"
	RoleCustomer Role = "customer"
)

// Valid reports whether r is a role a user can have.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleCustomer }

// User is an account that can log in. A soft-deleted user keeps its row; its email can register
// again because DeletedAt is part of the live-uniqueness index.
type User struct {
	ID           uint `gorm:"primaryKey"`
	Email        string
	PasswordHash string `json:"-"`
	FullName     string
	Role         Role
	IsActive     bool
	// TokenVersion is carried by every token; bumping it revokes the tokens issued before.
	TokenVersion int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	DeletedAt    soft_delete.DeletedAt `gorm:"softDelete:nano"`
}

// Product is something the shop sells. Money is in integer cents.
type Product struct {
	ID          uint `gorm:"primaryKey"`
	SKU         string
	Name        string
	Description string
	PriceCents  int64
	Stock       int64
	IsActive    bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeletedAt   soft_delete.DeletedAt `gorm:"softDelete:nano"`
}

// OrderStatus is where an order stands in its workflow.
type OrderStatus string

// Order statuses; the allowed moves are pending→paid→shipped→delivered, and cancelled from
// pending (owner or admin) or paid (admin).
const (
	OrderPending   OrderStatus = "pending"
	OrderPaid      OrderStatus = "paid"
	OrderShipped   OrderStatus = "shipped"
	OrderDelivered OrderStatus = "delivered"
	OrderCancelled OrderStatus = "cancelled"
)

// OrderStatuses lists every status an order can have, in workflow order.
func OrderStatuses() []OrderStatus {
	return []OrderStatus{OrderPending, OrderPaid, OrderShipped, OrderDelivered, OrderCancelled}
}

// Valid reports whether s is one of OrderStatuses.
func (s OrderStatus) Valid() bool { return slices.Contains(OrderStatuses(), s) }

// Order is a customer's order; its items copy the product's SKU, name and price at the time of
// ordering.
type Order struct {
	ID         uint `gorm:"primaryKey"`
	UserID     uint
	Status     OrderStatus
	TotalCents int64
	Items      []OrderItem
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// OrderItem is one line of an order.
type OrderItem struct {
	ID             uint `gorm:"primaryKey"`
	OrderID        uint
	ProductID      uint
	SKU            string
	Name           string
	Quantity       int64
	UnitPriceCents int64
	LineTotalCents int64
}

// IdempotencyKey records a POST /orders made with an Idempotency-Key header, in the order's own
// transaction: a retry with the same key and body gets the same order back.
type IdempotencyKey struct {
	ID          uint `gorm:"primaryKey"`
	UserID      uint
	Key         string `gorm:"column:idem_key"`
	RequestHash string
	OrderID     uint
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Outbox states.
const (
	OutboxPending = "pending" // waiting to be sent to the task queue
	OutboxSent    = "sent"    // handed to the queue; the task has not finished
	OutboxDone    = "done"    // the task finished
	OutboxFailed  = "failed"  // the task gave up; kept for an operator
)

// OutboxMessage is a background job recorded in the same transaction as the change it is about,
// so that it is never lost between a commit and a queue: a relay hands it to the task queue, and
// hands it again if the task does not finish in time.
type OutboxMessage struct {
	ID          uint `gorm:"primaryKey"`
	Task        string
	OrderID     *uint
	Recipient   string
	Payload     string
	State       string
	DueAt       time.Time
	Attempts    int64
	TaskUUID    string `gorm:"column:task_uuid"`
	LastError   string
	SentAt      *time.Time
	CompletedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName implements gorm's Tabler.
func (OutboxMessage) TableName() string { return "outbox" }

// Delivery states.
const (
	DeliverySending = "sending" // claimed by a task until LeaseUntil
	DeliverySent    = "sent"
	// DeliveryUnknown: the whole message was handed to the server, whose final reply never
	// came. It is most likely delivered, so it is not sent again.
	DeliveryUnknown = "unknown"
)

// Delivery records a message a task sent (or is sending), under a key that names the message
// (e.g. "order_confirmation:42"), so that a task run again sends nothing twice.
type Delivery struct {
	ID         uint `gorm:"primaryKey"`
	DedupeKey  string
	State      string
	LeaseUntil time.Time
	Attempts   int64
	SentAt     *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// AuditEntry records one change an admin made: who, when, what, and the entity before and
// after (JSON documents in the API's field names; never a secret).
type AuditEntry struct {
	ID        uint `gorm:"primaryKey"`
	ActorID   uint
	Action    string
	Entity    string
	EntityID  string
	Before    string
	After     string
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (AuditEntry) TableName() string { return "audit_log" }

// Report is a stored sales report (docs/decisions/0018-report-storage.md): its date range, how
// far the worker building it has come (Progress, 0-100), and, once CompletedAt is set, its
// totals. Its days are ReportRows. It is purged after ExpiresAt.
type Report struct {
	TaskUUID     string `gorm:"column:task_uuid;primaryKey"`
	FromDay      string
	ToDay        string
	Progress     int
	Orders       int64
	Items        int64
	RevenueCents int64
	CompletedAt  *time.Time
	ExpiresAt    time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ReportRow is one day of a stored sales report.
type ReportRow struct {
	TaskUUID     string `gorm:"column:task_uuid;primaryKey"`
	Day          string `gorm:"primaryKey"`
	Orders       int64
	Items        int64
	RevenueCents int64
}

// PasswordReset is a single-use token that lets the owner of an account's mailbox set a new
// password. Only the token's SHA-256 (hex) is stored.
type PasswordReset struct {
	ID        uint `gorm:"primaryKey"`
	UserID    uint
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}
