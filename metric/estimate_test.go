package metric

import (
	"encoding/json"
	"math"
	"testing"
)

func TestEstimateJSON(t *testing.T) {
	tests := []struct {
		name string
		in   Estimate
		want string
	}{
		{"ok", Estimate{Value: 10, Lower: -6.5, Upper: 26.5, N: 100, Status: StatusOK},
			`{"status":"ok","value":10,"lower":-6.5,"upper":26.5,"n":100}`},
		{"insufficient", Estimate{N: 12, Status: StatusInsufficient},
			`{"status":"insufficient_data","n":12}`},
		{"zero value is insufficient", Estimate{},
			`{"status":"insufficient_data","n":0}`},
		{"insufficient hides a stray value", Estimate{Value: 3, N: 3, Status: StatusInsufficient},
			`{"status":"insufficient_data","n":3}`},
		{"NaN never reaches JSON", Estimate{Value: math.NaN(), Lower: math.Inf(-1), Upper: math.NaN(), N: 40, Status: StatusOK},
			`{"status":"ok","n":40}`},
		{"zero value stays", Estimate{Value: 0, Lower: -3, Upper: 3, N: 50, Status: StatusOK},
			`{"status":"ok","value":0,"lower":-3,"upper":3,"n":50}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(b); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	var back Estimate
	in := Estimate{Value: 10, Lower: -6.5, Upper: 26.5, N: 100, Status: StatusOK}
	b, _ := json.Marshal(in)
	if err := json.Unmarshal(b, &back); err != nil || back != in {
		t.Errorf("round trip = %+v, %v; want %+v", back, err, in)
	}
	if err := json.Unmarshal([]byte(`{"n":"x"}`), &back); err == nil {
		t.Error("decoding a bad estimate succeeded")
	}
}

func TestEstimateString(t *testing.T) {
	tests := []struct {
		in   Estimate
		want string
	}{
		{Estimate{Value: 10, Lower: -6.28, Upper: 26.28, N: 100, Status: StatusOK}, "10.0 [-6.3, 26.3] n=100"},
		{Estimate{N: 7, Status: StatusInsufficient}, "insufficient data (n=7)"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
