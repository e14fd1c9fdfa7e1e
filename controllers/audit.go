package controllers

import (
	"context"
	"math"
	"net/http"

	"github.com/gin-gonic/gin"

	"tienda/controllers/dto"
	"tienda/listing"
	"tienda/models"
	"tienda/services"
)

// AuditService is what the audit controller needs from the service layer.
type AuditService interface {
	List(ctx context.Context, q services.AuditQuery) (services.Page[models.AuditEntry], error)
}

// Audit handles /audit (admins).
type Audit struct {
	Service AuditService
}

// List godoc
//
//	@Summary		List the audit log
//	@Description	Every change an admin made through the API or the console (products, order status, users, report requests), recorded in the change's own transaction; newest first unless sorted.
//	@Tags			audit
//	@Produce		json
//	@Param			actor_id	query		int		false	"the admin who made the change"	minimum(1)
//	@Param			entity		query		string	false	"what was changed"				Enums(product, order, user, report, job)
//	@Param			action		query		string	false	"the change, as entity.verb"	Enums(product.create, product.update, product.delete, product.stock, order.status, order.cancel, user.update, user.delete, report.request, job.requeue)
//	@Param			sort		query		string	false	"comma-separated fields, '-' for descending"	Enums(id, -id, created_at, -created_at)
//	@Param			page		query		int		false	"page number"					minimum(1)	maximum(1000000)	default(1)
//	@Param			page_size	query		int		false	"items per page"				minimum(1)	maximum(100)	default(20)
//	@Success		200			{object}	dto.Page[dto.AuditEntry]
//	@Failure		400			{object}	apperr.ErrorResponse	"bad parameter"
//	@Failure		401			{object}	apperr.ErrorResponse	"no or invalid token"
//	@Failure		403			{object}	apperr.ErrorResponse	"not an admin"
//	@Failure		500			{object}	apperr.ErrorResponse
//	@Security		BearerAuth
//	@ID				listAudit
//	@Router			/audit [get]
func (ac Audit) List(c *gin.Context) {
	q := newQuery(c)
	var filter listing.AuditFilter
	if id := q.int64("actor_id", 1, math.MaxUint32); id != nil {
		filter.ActorID = uint(*id)
	}
	filter.Entity = q.oneOf("entity", services.AuditEntities...)
	filter.Action = q.oneOf("action", services.AuditActions...)
	list := q.list(listing.AuditSorts)
	if err := q.err(); err != nil {
		_ = c.Error(err)
		return
	}
	if len(list.Sort) == 0 {
		list.Sort = []listing.Sort{{Field: "created_at", Desc: true}}
	}
	page, err := ac.Service.List(c.Request.Context(), services.AuditQuery{Filter: filter, List: list})
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, dto.NewPage(page.Items, page.Total, page.Page, page.PageSize, dto.NewAuditEntry))
}
