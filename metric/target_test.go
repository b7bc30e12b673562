package metric

import (
	"encoding/json"
	"testing"
)

func TestGapTo(t *testing.T) {
	ok := func(v, lo, hi float64) Estimate {
		return Estimate{Value: v, Lower: lo, Upper: hi, N: 100, Status: StatusOK}
	}
	tests := []struct {
		name     string
		e        Estimate
		target   float64
		diff     float64
		position Position
		status   Status
	}{
		// NPS 32 [20, 44] against 40: gap −8, but 40 lies inside the interval.
		{"around", ok(32, 20, 44), 40, -8, AroundTarget, StatusOK},
		// NPS 25 [15, 35] against 40: the whole interval is below.
		{"below", ok(25, 15, 35), 40, -15, BelowTarget, StatusOK},
		// NPS 55 [45, 65] against 40: the whole interval is above.
		{"above", ok(55, 45, 65), 40, 15, AboveTarget, StatusOK},
		// An interval touching the target does not lie wholly on one side.
		{"touching", ok(50, 40, 60), 40, 10, AroundTarget, StatusOK},
		{"insufficient", insufficient(5), 40, 0, "", StatusInsufficient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := GapTo(tt.e, tt.target)
			if got.Difference != tt.diff || got.Position != tt.position || got.Status != tt.status || got.Target != tt.target {
				t.Errorf("got %+v, want difference %v, position %q, status %q", got, tt.diff, tt.position, tt.status)
			}
		})
	}
}

func TestGapJSON(t *testing.T) {
	tests := []struct {
		in   Gap
		want string
	}{
		{Gap{Target: 40, Difference: -8, Position: AroundTarget, Status: StatusOK}, `{"status":"ok","target":40,"difference":-8,"position":"around"}`},
		{Gap{Target: 40, Status: StatusInsufficient}, `{"status":"insufficient_data","target":40}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("got %s, want %s", b, tt.want)
		}
		var back Gap
		if err := json.Unmarshal(b, &back); err != nil || back != tt.in {
			t.Errorf("round trip = %+v, %v; want %+v", back, err, tt.in)
		}
	}
}
