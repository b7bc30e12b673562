package web

import (
	"net/http"

	"github.com/cxmhq/cxm"
)

// customerRequest is the writable part of a customer.
type customerRequest struct {
	ExternalID string         `json:"external_id"`
	Email      string         `json:"email"`
	Name       string         `json:"name"`
	Locale     string         `json:"locale"`
	Birthday   string         `json:"birthday"`
	Attributes cxm.Attributes `json:"attributes"`
	Consent    cxm.Consent    `json:"consent"`
}

func (req customerRequest) customer(workspaceID int64) *cxm.Customer {
	return &cxm.Customer{WorkspaceID: workspaceID, ExternalID: req.ExternalID, Email: req.Email, Name: req.Name,
		Locale: req.Locale, Birthday: req.Birthday, Attributes: req.Attributes, Consent: req.Consent}
}

// listCustomers lists customers, filtered by external_id or email, a page at a time.
func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	cs, next, err := s.svc.Customers.ListCustomers(r.Context(), p.WorkspaceID,
		cxm.CustomerFilter{ExternalID: q.Get("external_id"), Email: cxm.NormalizeEmail(q.Get("email")), Page: page})
	if err != nil {
		return err
	}
	return writeList(w, cs, next)
}

// createCustomer adds a customer profile.
func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var req customerRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	c := req.customer(p.WorkspaceID)
	if err := s.svc.Customers.CreateCustomer(r.Context(), c); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

// getCustomer returns one customer profile.
func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.svc.Customers.FindCustomer(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// updateCustomer changes the given fields; attributes merge key by key.
func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var u cxm.CustomerUpdate
	if err := decodeJSON(r, &u); err != nil {
		return err
	}
	c, err := s.svc.Customers.UpdateCustomer(r.Context(), p.WorkspaceID, id, u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// deleteCustomer erases a customer and everything recorded of them.
func (s *Server) deleteCustomer(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Customers.DeleteCustomer(r.Context(), p.WorkspaceID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// customerTimeline returns the customer's events across channels, oldest first.
func (s *Server) customerTimeline(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	es, next, err := s.svc.Customers.Timeline(r.Context(), p.WorkspaceID, id, page)
	if err != nil {
		return err
	}
	return writeList(w, es, next)
}

// mergeCustomer merges the profile named by "from" into the one in the path.
func (s *Server) mergeCustomer(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		From int64 `json:"from"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.From <= 0 {
		return cxm.Invalid(cxm.FieldError{Field: "from", Reason: "must be the id of the customer to merge into this one"})
	}
	c, err := s.svc.Customers.MergeCustomers(r.Context(), p.WorkspaceID, id, req.From)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// listMerges lists the profiles merged into a customer, as they were.
func (s *Server) listMerges(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.svc.Customers.FindCustomer(r.Context(), p.WorkspaceID, id); err != nil {
		return err
	}
	ms, err := s.svc.Customers.ListMerges(r.Context(), p.WorkspaceID, id)
	if err != nil {
		return err
	}
	return writeList(w, ms, "")
}

// identifyRequest links an anonymous visitor to a known customer.
type identifyRequest struct {
	AnonymousID string `json:"anonymous_id"`
	// Customer is the customer's external id.
	Customer string `json:"customer"`
	customerProfile
}

// customerProfile holds optional profile fields sent along with identify.
type customerProfile struct {
	Email      string         `json:"email"`
	Name       string         `json:"name"`
	Locale     string         `json:"locale"`
	Birthday   string         `json:"birthday"`
	Attributes cxm.Attributes `json:"attributes"`
	Consent    *cxm.Consent   `json:"consent"`
}

// identify links an anonymous id to a customer; earlier anonymous
// interactions then belong to that customer.
func (s *Server) identify(w http.ResponseWriter, r *http.Request, p *cxm.Principal) error {
	var req identifyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var errs cxm.FieldErrors
	if req.AnonymousID == "" {
		errs.Add("anonymous_id", "is required")
	}
	if req.Customer == "" {
		errs.Add("customer", "is required: the customer's external id")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	c := &cxm.Customer{WorkspaceID: p.WorkspaceID, ExternalID: req.Customer, Email: req.Email, Name: req.Name,
		Locale: req.Locale, Birthday: req.Birthday, Attributes: req.Attributes}
	if req.Consent != nil {
		c.Consent = *req.Consent
	}
	res, err := s.svc.Customers.Identify(r.Context(), p.WorkspaceID, req.AnonymousID, c)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, res)
}
