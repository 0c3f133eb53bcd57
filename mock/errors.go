package mock

import (
	"encoding/json"
	"net/http"
)

// The documented error bodies (facts § 6.1, order-status § API Responses › 400/401/500).

// internalErrorBody is the 500 body (order-status § API Responses › 500).
var internalErrorBody = []byte(`{"status":"error","error_code":"internal_error","error_message":"Internal server Error"}`)

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, internalErrorBody
	}
	writeRaw(w, code, b)
}

// internalError answers a failure of the mock itself.
func internalError(w http.ResponseWriter) {
	writeRaw(w, http.StatusInternalServerError, internalErrorBody)
}

func writeRaw(w http.ResponseWriter, code int, b []byte) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	w.WriteHeader(code)
	w.Write(b)
}

var accessDenied = []byte(`{"status":"error","error_code":"access_denied","error_info":{"user_message":"Unauthorized.","developer_message":"Invalid API Key. Please pass a valid and active api key.","code":"UNAUTHORIZED","category":"USER_ERROR"}}`)

func orderNotFound(w http.ResponseWriter, orderID string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"status": "NOT_FOUND",
		"error_info": map[string]any{
			"user_message": "Order Not Found", "developer_message": "Order Not Found",
			"code": "RESOURCE_NOT_FOUND", "category": "USER_ERROR",
		},
		"status_id": 40,
		"order_id":  orderID,
	})
}

// resourceNotFound is the 400 for an unknown txn, mandate or notification, in the shape of the
// order's NOT_FOUND (facts § 6.1): what names the resource ("Mandate").
func resourceNotFound(w http.ResponseWriter, what string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"status": "NOT_FOUND", "status_id": 40,
		"error_info": map[string]any{"user_message": what + " Not Found", "developer_message": what + " Not Found", "code": "RESOURCE_NOT_FOUND", "category": "USER_ERROR"},
	})
}

// badRequest is the legacy 400 shape Juspay uses for a missing field ("order_id is missing").
func badRequest(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"status": "Bad Request", "error_message": msg, "error_code": msg})
}

func invalidInput(w http.ResponseWriter, field string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"error_message": "Bad Request.", "status": "Bad Request", "error_code": "INVALID_REQUEST",
		"error_info": map[string]any{
			"user_message":      "Invalid input data",
			"fields":            []any{map[string]any{"field_name": field, "reason": "Missing field or Invalid Value"}},
			"developer_message": "Invalid input data", "code": "INVALID_INPUT", "category": "USER_ERROR",
		},
	})
}

func refundError(w http.ResponseWriter, msg, code string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"status_id": -1, "status": "ERROR", "error_message": msg, "error_code": code})
}

func notFoundRoute(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]any{"status": "error", "error_code": "not_found", "error_message": "No such API"})
}
