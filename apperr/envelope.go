package apperr

// ErrorResponse is the contract's error envelope: how every error is written to a client.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody describes what went wrong.
type ErrorBody struct {
	Code    Code         `json:"code" swaggertype:"string" enums:"validation_error,bad_request,unauthorized,forbidden,not_found,method_not_allowed,conflict,payload_too_large,rate_limited,internal,unavailable" example:"validation_error"`
	Message string       `json:"message" example:"the request is not valid"`
	Details []FieldError `json:"details,omitempty"`
}

// Response is the envelope e is written as.
func (e *Error) Response() ErrorResponse {
	return ErrorResponse{Error: ErrorBody{Code: e.Code, Message: e.Message, Details: e.Details}}
}
