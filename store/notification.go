package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cxmhq/cxm"
)

// DB implements cxm.NotificationService.
var _ cxm.NotificationService = (*DB)(nil)

const notificationColumns = "id, workspace_id, kind, title, body, rule_id, case_id, response_id, customer_id, data, at"

// scanNotification reads one row of notificationColumns.
func scanNotification(row interface{ Scan(...any) error }) (*cxm.Notification, error) {
	var n cxm.Notification
	var data string
	var at int64
	if err := row.Scan(&n.ID, &n.WorkspaceID, &n.Kind, &n.Title, &n.Body, &n.RuleID, &n.CaseID, &n.ResponseID, &n.CustomerID, &data, &at); err != nil {
		return nil, err
	}
	if data != "" && data != "null" {
		if err := json.Unmarshal([]byte(data), &n.Data); err != nil {
			return nil, fmt.Errorf("notification %d data: %w", n.ID, err)
		}
	}
	n.At = fromMicros(at)
	return &n, nil
}

// validateNotification checks the fields a caller sets.
func validateNotification(n *cxm.Notification) error {
	var errs cxm.FieldErrors
	if n.WorkspaceID <= 0 {
		errs.Add("workspace_id", "is required")
	}
	if n.Kind == "" || !cxm.ValidText(n.Kind, 64) {
		errs.Add("kind", "must be 1-64 bytes of text")
	}
	if n.Title == "" || !cxm.ValidText(n.Title, 1000) {
		errs.Add("title", "must be 1-1000 bytes of text")
	}
	if !cxm.ValidText(n.Body, 10000) {
		errs.Add("body", "must be at most 10,000 bytes of text")
	}
	if !cxm.ValidText(n.ResponseID, 200) {
		errs.Add("response_id", "must be at most 200 bytes of text")
	}
	return errs.Err()
}

// CreateNotification stores n, sets its ID from the global id allocator
// and its At when zero. A missing workspace is ENotFound.
func (db *DB) CreateNotification(ctx context.Context, n *cxm.Notification) error {
	if err := validateNotification(n); err != nil {
		return err
	}
	data := []byte("null")
	if len(n.Data) > 0 {
		var err error
		if data, err = json.Marshal(n.Data); err != nil {
			return cxm.Invalid(cxm.FieldError{Field: "data", Reason: "cannot be encoded as JSON: " + err.Error()})
		}
		if len(data) > 32<<10 {
			return cxm.Invalid(cxm.FieldError{Field: "data", Reason: "must be at most 32 KiB as JSON"})
		}
	}
	id, err := db.ids.take(ctx, 1)
	if err != nil {
		return fmt.Errorf("store: create notification: %w", err)
	}
	at := n.At
	if at.IsZero() {
		at = db.stampNow()
	}
	err = db.inTx(ctx, func(tx queryer) error {
		_, err := tx.exec(ctx, "INSERT INTO notifications ("+notificationColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			id, n.WorkspaceID, n.Kind, n.Title, n.Body, n.RuleID, n.CaseID, n.ResponseID, n.CustomerID, string(data), micros(at))
		if isForeignKeyViolation(err) {
			return cxm.NotFound("workspace")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create notification: %w", err)
	}
	n.ID, n.At = id, fromMicros(micros(at))
	return nil
}

// FindNotification returns the workspace's notification with id, or ENotFound.
func (db *DB) FindNotification(ctx context.Context, workspaceID, id int64) (*cxm.Notification, error) {
	n, err := scanNotification(db.reader().queryRow(ctx, "SELECT "+notificationColumns+" FROM notifications WHERE workspace_id = ? AND id = ?", workspaceID, id))
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, cxm.NotFound("notification")
		}
		return nil, fmt.Errorf("store: find notification: %w", err)
	}
	return n, nil
}

// NotificationsAfter returns up to limit (at most cxm.MaxNotificationReplay)
// of the workspace's notifications with an ID above afterID, in ID order.
func (db *DB) NotificationsAfter(ctx context.Context, workspaceID, afterID int64, limit int) ([]*cxm.Notification, error) {
	if limit <= 0 || limit > cxm.MaxNotificationReplay {
		limit = cxm.MaxNotificationReplay
	}
	rows, err := db.reader().query(ctx, "SELECT "+notificationColumns+" FROM notifications WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
		workspaceID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: notifications after %d: %w", afterID, err)
	}
	defer rows.Close()
	out := []*cxm.Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, fmt.Errorf("store: notifications after %d: %w", afterID, err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: notifications after %d: %w", afterID, err)
	}
	return out, nil
}
