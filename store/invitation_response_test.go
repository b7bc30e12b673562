package store

import (
	"context"
	"testing"
	"time"

	"github.com/cxmhq/cxm"
)

// TestSubmitThroughInvitation answers an invitation: the response takes
// the invitation's customer, completing it marks the invitation answered
// in the same transaction, the same response again is a duplicate, and
// any other response through the invitation is refused with a clear
// message on "token".
func TestSubmitThroughInvitation(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newInviteFixture(t, db, "acme")
		now := f.start
		db.now = func() time.Time { return now }
		other := newInviteFixture(t, db, "globex")
		inv := f.mustCreate(t, f.invitation(f.survey, f.anna, cxm.InviteEmail, f.start))
		inv.Status = cxm.InvitationSent
		if err := db.UpdateInvitation(ctx, inv); err != nil {
			t.Fatal(err)
		}

		// A partial answer binds nothing yet; the customer comes from the
		// invitation, whatever the submit says.
		r := apiResponse(f.survey, "r-1", false, cxm.Answers{"csat": 4.0})
		r.InvitationID, r.Customer = inv.ID, "somebody-else"
		res := mustSubmit(t, db, r)
		if res.Response.CustomerID != f.anna.ID || res.Response.Customer != "anna" || res.Response.InvitationID != inv.ID {
			t.Errorf("partial = %s, want Anna's through invitation %d", jsonOf(t, res.Response), inv.ID)
		}
		if got, _ := db.FindInvitation(ctx, f.ws.ID, inv.ID); got.Status != cxm.InvitationSent || got.ResponseID != "" {
			t.Errorf("invitation after a partial answer = %s %q, want still sent", got.Status, got.ResponseID)
		}

		now = f.start.Add(time.Minute)
		r = apiResponse(f.survey, "r-1", true, cxm.Answers{"nps": 10.0})
		r.InvitationID = inv.ID
		res = mustSubmit(t, db, r)
		if !res.Response.Completed || res.Duplicate {
			t.Fatalf("complete = %s", jsonOf(t, res))
		}
		got, _ := db.FindInvitation(ctx, f.ws.ID, inv.ID)
		if got.Status != cxm.InvitationAnswered || got.ResponseID != "r-1" || got.AnsweredAt == nil || !got.AnsweredAt.Equal(now) {
			t.Errorf("invitation after completing = %s, want answered by r-1 at %s", jsonOf(t, got), now)
		}

		// The same response again changes nothing.
		res = mustSubmit(t, db, r)
		if !res.Duplicate {
			t.Errorf("same response again = %s, want a duplicate", jsonOf(t, res))
		}

		// Another response through the invitation is refused, partial or not.
		for _, complete := range []bool{false, true} {
			r2 := apiResponse(f.survey, "r-2", complete, cxm.Answers{"nps": 0.0})
			r2.InvitationID = inv.ID
			_, err := db.SubmitResponse(ctx, r2)
			checkError(t, err, cxm.EConflict, "token")
			if msg := cxm.ErrorMessage(err); msg != "this invitation has already been answered" {
				t.Errorf("message = %q", msg)
			}
		}
		if _, err := db.FindResponse(ctx, f.ws.ID, "r-2"); cxm.ErrorCode(err) != cxm.ENotFound {
			t.Errorf("refused response was stored: %v", err)
		}

		// An invitation to another survey, or of another workspace, is no token for this one.
		s2 := mustCreateSurvey(t, db, testSurvey(f.ws.ID, "second", "delivery"))
		r3 := apiResponse(s2, "r-3", true, cxm.Answers{"nps": 5.0})
		r3.InvitationID = inv.ID
		_, err := db.SubmitResponse(ctx, r3)
		checkError(t, err, cxm.EInvalid, "token")
		foreign := other.mustCreate(t, other.invitation(other.survey, other.anna, cxm.InviteEmail, f.start))
		r4 := apiResponse(f.survey, "r-4", true, cxm.Answers{"nps": 5.0})
		r4.InvitationID = foreign.ID
		_, err = db.SubmitResponse(ctx, r4)
		checkError(t, err, cxm.EInvalid, "token")
		if got, _ := db.FindInvitation(ctx, other.ws.ID, foreign.ID); got.Status != cxm.InvitationScheduled {
			t.Errorf("another workspace's invitation became %s", got.Status)
		}
	})
}
