package services

import (
	"slices"

	"tienda/models"
)

// CancellableFrom lists the statuses in which actor may cancel an order (their own, unless an
// admin): pending for its owner, pending or paid for an admin.
func CancellableFrom(actor Actor) []models.OrderStatus {
	if actor.IsAdmin() {
		return []models.OrderStatus{models.OrderPending, models.OrderPaid}
	}
	return []models.OrderStatus{models.OrderPending}
}

// NextStatuses lists the moves SetStatus allows from status now (at most one, along
// pending → paid → shipped → delivered).
func NextStatuses(status models.OrderStatus) []models.OrderStatus {
	var next []models.OrderStatus
	for _, to := range []models.OrderStatus{models.OrderPaid, models.OrderShipped, models.OrderDelivered} {
		if from, _ := previousStatus(to); from == status {
			next = append(next, to)
		}
	}
	return next
}

// CanCancel reports whether actor may cancel an order in status.
func CanCancel(actor Actor, status models.OrderStatus) bool {
	return slices.Contains(CancellableFrom(actor), status)
}
