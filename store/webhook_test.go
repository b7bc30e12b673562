package store

import (
	"context"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

func TestWebhookLifecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustCreateWorkspace(t, db, "acme")
		b := mustCreateWorkspace(t, db, "globex")
		w := &cxm.Webhook{WorkspaceID: a.ID, Name: "Ops", URL: "https://hooks.example.com/x", Enabled: true}
		secret, err := db.CreateWebhook(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "whsec_") || w.Kind != cxm.WebhookJSON || w.SecretPreview != secret[:10]+"…" {
			t.Fatalf("created %+v with secret %q", w, secret)
		}
		// The secret is sealed at rest: the raw column does not hold it.
		var raw string
		if err := db.reader().queryRow(ctx, "SELECT secret FROM webhooks WHERE workspace_id = ? AND id = ?", a.ID, w.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if raw == "" || strings.Contains(raw, secret) || strings.Contains(raw, secret[6:20]) {
			t.Errorf("stored secret column %q reveals the secret", raw)
		}
		got, err := db.FindWebhook(ctx, a.ID, w.ID)
		if err != nil || got.Secret != secret || got.URL != w.URL {
			t.Fatalf("find = %+v, %v; want the secret back", got, err)
		}
		if _, err := db.FindWebhook(ctx, b.ID, w.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("find from another workspace: %v, want not found", err)
		}
		list, err := db.ListWebhooks(ctx, a.ID)
		if err != nil || len(list) != 1 || list[0].Secret != "" || list[0].SecretPreview == "" {
			t.Fatalf("list = %+v, %v; want one webhook without secret", list, err)
		}
		if other, _ := db.ListWebhooks(ctx, b.ID); len(other) != 0 {
			t.Errorf("workspace B lists %d webhooks", len(other))
		}

		// Bad updates change nothing.
		bad := cxm.WebhookKind("xml")
		if _, err := db.UpdateWebhook(ctx, a.ID, w.ID, cxm.WebhookUpdate{Kind: &bad}); cxm.ErrorCode(err) != cxm.EInvalid {
			t.Errorf("update kind xml: %v, want invalid", err)
		}
		name, kind, off := "Chat", cxm.WebhookChat, false
		up, err := db.UpdateWebhook(ctx, a.ID, w.ID, cxm.WebhookUpdate{Name: &name, Kind: &kind, Enabled: &off})
		if err != nil || up.Name != "Chat" || up.Kind != cxm.WebhookChat || up.Enabled || up.URL != w.URL {
			t.Fatalf("update = %+v, %v", up, err)
		}
		if _, err := db.UpdateWebhook(ctx, b.ID, w.ID, cxm.WebhookUpdate{Name: &name}); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("update from another workspace: %v", err)
		}

		rotated, newSecret, err := db.RotateWebhookSecret(ctx, a.ID, w.ID)
		if err != nil || newSecret == secret || rotated.Secret != newSecret || rotated.PreviousSecret != secret ||
			rotated.PreviousSecretPreview != w.SecretPreview || rotated.RotatedAt == nil {
			t.Fatalf("rotate = %+v, %q, %v", rotated, newSecret, err)
		}
		if again, _ := db.FindWebhook(ctx, a.ID, w.ID); again.Secret != newSecret || again.PreviousSecret != secret {
			t.Errorf("after rotation find = %+v", again)
		}

		for i, st := range []cxm.DeliveryStatus{cxm.DeliveryPending, cxm.DeliveryDelivered} {
			d := &cxm.WebhookDelivery{WorkspaceID: a.ID, WebhookID: w.ID, NotificationID: 7, Attempt: i + 1, Status: st, HTTPStatus: 500 - 300*i, DurationMs: 12}
			if err := db.RecordWebhookDelivery(ctx, d); err != nil || d.ID == 0 {
				t.Fatalf("record delivery: %v", err)
			}
		}
		ds, err := db.ListWebhookDeliveries(ctx, a.ID, w.ID, 0)
		if err != nil || len(ds) != 2 || ds[0].Attempt != 2 || ds[0].Status != cxm.DeliveryDelivered || ds[1].HTTPStatus != 500 {
			t.Fatalf("deliveries = %+v, %v; want newest first", ds, err)
		}
		if _, err := db.ListWebhookDeliveries(ctx, b.ID, w.ID, 0); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("deliveries from another workspace: %v", err)
		}
		if err := db.DeleteWebhook(ctx, b.ID, w.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("delete from another workspace: %v", err)
		}
		if err := db.DeleteWebhook(ctx, a.ID, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindWebhook(ctx, a.ID, w.ID); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("find after delete: %v", err)
		}
	})
}

func TestWebhookValidation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustCreateWorkspace(t, db, "acme")
		for _, w := range []*cxm.Webhook{
			{WorkspaceID: a.ID, Name: "", URL: "https://x.example"},
			{WorkspaceID: a.ID, Name: "x", URL: ""},
			{WorkspaceID: a.ID, Name: "x", URL: "https://x.example", Kind: "xml"},
		} {
			if _, err := db.CreateWebhook(ctx, w); cxm.ErrorCode(err) != cxm.EInvalid {
				t.Errorf("create %+v: %v, want invalid", w, err)
			}
		}
		if list, _ := db.ListWebhooks(ctx, a.ID); len(list) != 0 {
			t.Errorf("invalid webhooks were stored: %d", len(list))
		}
	})
}
