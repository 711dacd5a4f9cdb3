package openapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Validator checks answers against the document, for end-to-end tests: every status a route
// answers (error statuses included) must be declared, and every body must match its schema.
type Validator struct {
	router routers.Router
}

// NewValidator builds a Validator for doc. Routing ignores doc's servers, so the test
// server's random address matches; only method and path select the operation.
func NewValidator(doc *openapi3.T) (*Validator, error) {
	if doc == nil {
		return nil, fmt.Errorf("openapi: nil document")
	}
	routing := *doc
	routing.Servers = nil
	// The legacy router needs no extra dependency (gorillamux pulls in gorilla/mux) and
	// gives precise "path not found" / "method not allowed" reasons.
	router, err := legacy.NewRouter(&routing)
	if err != nil {
		return nil, fmt.Errorf("openapi: build router: %w", err)
	}
	return &Validator{router: router}, nil
}

// ValidateResponse checks that the operation matching req declares status and that header
// and body match what it declares for that status.
func (v *Validator) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	route, pathParams, err := v.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("openapi: no operation for %s %s: %w", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: pathParams,
			Route:      route,
		},
		Status: status,
		Header: header,
		Body:   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true, // an undeclared status (say a 409 nobody wrote down) fails
			MultiError:            true,
			AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		return fmt.Errorf("openapi: %s %s → %d does not match the spec: %w", req.Method, route.Path, status, err)
	}
	return nil
}
